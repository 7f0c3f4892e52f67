import GRDB

/// The schema, one frozen migration after another. A shipped migration is never edited: add a new one.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-spatial-metadata") { db in
            // Inside the migrator's transaction: only the WGS84 reference systems, no nested transaction.
            try db.execute(sql: "SELECT InitSpatialMetaData('WGS84')")
        }
        migrator.registerMigration("v1-event-store") { db in
            try db.execute(sql: eventStoreSchema)
        }
        migrator.registerMigration("v1-projections") { db in
            try db.execute(sql: projectionSchema)
        }
        migrator.registerMigration("v1-tenants") { db in
            try db.execute(sql: tenantSchema)
            try db.execute(sql: "SELECT AddGeometryColumn('pager_list', 'region', 4326, 'MULTIPOLYGON', 'XY')")
            try db.execute(sql: "SELECT CreateSpatialIndex('pager_list', 'region')")
        }
        migrator.registerMigration("v2-users") { db in
            try db.execute(sql: userSchema)
        }
        migrator.registerMigration("v3-idempotency") { db in
            try db.execute(sql: idempotencySchema)
        }
        migrator.registerMigration("v4-configuration") { db in
            try db.execute(sql: configurationSchema)
        }
        migrator.registerMigration("v5-pager-process") { db in
            try db.execute(sql: pagerProcessSchema)
        }
        migrator.registerMigration("v6-render-poll-state") { db in
            try db.execute(sql: renderPollSchema)
        }
        migrator.registerMigration("v7-simulators") { db in
            try db.execute(sql: simulatorSchema)
        }
        migrator.registerMigration("v8-attention") { db in
            try db.execute(sql: attentionSchema)
            // The attention list and the integration times are derived from the whole log: replay it once.
            try Projections.rebuild(db) { _, _ in }
        }
        migrator.registerMigration("v9-appliance") { db in
            try db.execute(sql: applianceSchema)
        }
        migrator.registerMigration("v10-list-indexes") { db in
            // The list's filters by index, and its text search by FTS5 (see `EcoSearch`).
            try db.execute(sql: EcoSearch.filterIndexes)
            try db.execute(sql: EcoSearch.schema)
            try db.execute(sql: EcoSearch.backfill)
        }
        migrator.registerMigration("v11-followed-ecos") { db in
            // The Render poller's ECOs by a partial index of the followed ones: every five seconds it read every
            // row of eco_view, whatever share of them was still followed.
            try db.execute(sql: """
                CREATE INDEX eco_view_followed ON eco_view(created_at)
                WHERE integration_status = 'DISPATCHED' AND status NOT IN ('HARD_COMPLETE', 'CANCELLED')
                """)
        }
        migrator.registerMigration("v12-event-kinds") { db in
            // The newest schema version of each kind of event, by index seeks (see `storedKinds`).
            try db.execute(sql: "CREATE INDEX event_by_kind ON event(stream_type, type, schema_version)")
        }
        return migrator
    }

    static let eventStoreSchema = """
        CREATE TABLE event (
            position INTEGER PRIMARY KEY AUTOINCREMENT,
            event_id TEXT NOT NULL UNIQUE,
            stream_id TEXT NOT NULL,
            stream_type TEXT NOT NULL,
            version INTEGER NOT NULL CHECK (version >= 1),
            type TEXT NOT NULL,
            schema_version INTEGER NOT NULL CHECK (schema_version >= 1),
            payload TEXT NOT NULL CHECK (json_valid(payload)),
            actor TEXT NOT NULL,
            correlation_id TEXT,
            causation_id TEXT,
            occurred_at TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            UNIQUE (stream_id, version)
        );
        CREATE INDEX event_by_type ON event(stream_type, position);
        CREATE TRIGGER event_is_append_only_update BEFORE UPDATE ON event
        BEGIN SELECT RAISE(ABORT, 'the event log is append-only: UPDATE is refused'); END;
        CREATE TRIGGER event_is_append_only_delete BEFORE DELETE ON event
        BEGIN SELECT RAISE(ABORT, 'the event log is append-only: DELETE is refused'); END;

        CREATE TABLE snapshot (
            stream_id TEXT PRIMARY KEY,
            stream_type TEXT NOT NULL,
            version INTEGER NOT NULL,
            snapshot_version INTEGER NOT NULL,
            state TEXT NOT NULL CHECK (json_valid(state)),
            taken_at TEXT NOT NULL
        );

        CREATE TABLE consumer_checkpoint (
            consumer TEXT PRIMARY KEY,
            position INTEGER NOT NULL,
            updated_at TEXT NOT NULL
        );

        CREATE TABLE dead_letter (
            consumer TEXT NOT NULL,
            position INTEGER NOT NULL REFERENCES event(position),
            event_type TEXT NOT NULL,
            error TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            parked_at TEXT NOT NULL,
            retry_requested_at TEXT,
            PRIMARY KEY (consumer, position)
        );
        """

    /// The read models as v1 shipped them; `verify` copies the live definitions, so later columns need no change here.
    static let projectionSchema = """
        CREATE TABLE eco_view (
            eco_id TEXT PRIMARY KEY,
            noc_tenant_id TEXT NOT NULL,
            osp_tenant_id TEXT NOT NULL,
            job_id TEXT NOT NULL,
            job_number INTEGER NOT NULL,
            subsector TEXT NOT NULL,
            job_type TEXT NOT NULL,
            description TEXT NOT NULL,
            location TEXT NOT NULL,
            status TEXT NOT NULL,
            integration_status TEXT NOT NULL,
            integration_stage TEXT,
            integration_reason TEXT,
            render_task_id TEXT,
            pager_run_id TEXT,
            accepted_by TEXT,
            display_status TEXT NOT NULL,
            display_reason TEXT,
            task_count INTEGER NOT NULL,
            stale INTEGER NOT NULL,
            grace_until TEXT,
            cancel_reason TEXT,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            version INTEGER NOT NULL
        );
        CREATE INDEX eco_view_by_noc ON eco_view(noc_tenant_id, created_at);
        CREATE INDEX eco_view_by_osp ON eco_view(osp_tenant_id, created_at);
        CREATE TABLE eco_task_view (
            eco_id TEXT NOT NULL,
            task_id TEXT NOT NULL,
            status TEXT NOT NULL,
            display_status TEXT NOT NULL,
            assignee TEXT,
            fingerprint TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (eco_id, task_id)
        );
        CREATE TABLE pager_run_view (
            run_id TEXT PRIMARY KEY,
            eco_id TEXT NOT NULL,
            pager_list_id TEXT NOT NULL,
            pager_list_name TEXT NOT NULL,
            message TEXT NOT NULL,
            contacts TEXT NOT NULL,
            rounds INTEGER NOT NULL,
            status TEXT NOT NULL,
            outcome TEXT,
            accepted_contact_index INTEGER,
            accepted_by TEXT,
            reason TEXT,
            attempt_count INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            completed_at TEXT,
            updated_at TEXT NOT NULL,
            version INTEGER NOT NULL
        );
        CREATE INDEX pager_run_view_by_eco ON pager_run_view(eco_id, started_at);
        CREATE TABLE pager_attempt_view (
            run_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            contact_index INTEGER NOT NULL,
            contact_name TEXT NOT NULL,
            call_sid TEXT,
            kind TEXT NOT NULL,
            occurred_at TEXT NOT NULL,
            PRIMARY KEY (run_id, version)
        );
        """

    static let tenantSchema = """
        CREATE TABLE tenant (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('NOC', 'OSP')),
            name TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
            job_prefix TEXT,
            next_job_number INTEGER NOT NULL DEFAULT 1 CHECK (next_job_number >= 1),
            created_at TEXT NOT NULL,
            CHECK ((kind = 'OSP') = (job_prefix IS NOT NULL))
        );
        CREATE TABLE tenant_link (
            noc_tenant_id TEXT NOT NULL REFERENCES tenant(id),
            osp_tenant_id TEXT NOT NULL REFERENCES tenant(id),
            status TEXT NOT NULL CHECK (status IN ('pending', 'active', 'suspended')),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (noc_tenant_id, osp_tenant_id)
        );
        CREATE TABLE pager_list (
            -- An explicit integer key: the spatial index refers to it, and VACUUM must not renumber it.
            rowid_key INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            osp_tenant_id TEXT NOT NULL REFERENCES tenant(id),
            name TEXT NOT NULL CHECK (length(trim(name)) > 0),
            priority INTEGER NOT NULL DEFAULT 0,
            active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
            is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
            area_m2 REAL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (osp_tenant_id, name)
        );
        CREATE UNIQUE INDEX one_default_pager_list ON pager_list(osp_tenant_id) WHERE is_default = 1;
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            entity TEXT NOT NULL,
            entity_id TEXT NOT NULL,
            action TEXT NOT NULL,
            before TEXT,
            after TEXT
        );
        """

    static let userSchema = """
        CREATE TABLE app_user (
            id TEXT PRIMARY KEY,
            username TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(username) BETWEEN 1 AND 64),
            display_name TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            is_owner INTEGER NOT NULL DEFAULT 0 CHECK (is_owner IN (0, 1)),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE membership (
            user_id TEXT NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
            tenant_id TEXT NOT NULL REFERENCES tenant(id),
            role TEXT NOT NULL CHECK (role IN ('admin', 'dispatcher', 'viewer')),
            created_at TEXT NOT NULL,
            PRIMARY KEY (user_id, tenant_id)
        );
        -- Only hashes of session ids and API tokens are stored: a copy of the file opens no session.
        CREATE TABLE user_session (
            id_hash TEXT PRIMARY KEY,
            user_id TEXT NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
            csrf_token TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        );
        CREATE INDEX user_session_by_user ON user_session(user_id);
        CREATE TABLE api_token (
            id TEXT PRIMARY KEY,
            token_hash TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 100),
            tenant_id TEXT NOT NULL REFERENCES tenant(id),
            role TEXT NOT NULL CHECK (role IN ('admin', 'dispatcher', 'viewer')),
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            last_used_at TEXT,
            revoked_at TEXT
        );
        """

    static let idempotencySchema = """
        -- One row per Idempotency-Key a tenant used to create an ECO: a retry with the same body gets the
        -- first answer back, a retry with another body is refused.
        CREATE TABLE idempotency_key (
            tenant_id TEXT NOT NULL REFERENCES tenant(id),
            key TEXT NOT NULL,
            request_hash TEXT NOT NULL,
            eco_id TEXT NOT NULL,
            response TEXT,
            created_at TEXT NOT NULL,
            PRIMARY KEY (tenant_id, key)
        );
        """

    static let configurationSchema = """
        -- Which tenant a configuration change concerns, so its admins can read their own audit trail.
        ALTER TABLE audit_log ADD COLUMN tenant_id TEXT;
        CREATE INDEX audit_log_by_tenant ON audit_log(tenant_id, id);

        -- Secrets are stored sealed (SecretBox): a data key per secret, wrapped by the master key file's key.
        CREATE TABLE render_instance (
            osp_tenant_id TEXT PRIMARY KEY REFERENCES tenant(id),
            mode TEXT NOT NULL CHECK (mode IN ('live', 'simulated')),
            base_url TEXT,
            client_id TEXT NOT NULL,
            client_secret_sealed BLOB NOT NULL,
            project_id TEXT NOT NULL,
            poll_interval_seconds INTEGER NOT NULL CHECK (poll_interval_seconds BETWEEN 10 AND 3600),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            CHECK (mode = 'simulated' OR base_url IS NOT NULL)
        );
        CREATE TABLE twilio_account (
            noc_tenant_id TEXT PRIMARY KEY REFERENCES tenant(id),
            mode TEXT NOT NULL CHECK (mode IN ('live', 'simulated')),
            account_sid TEXT NOT NULL,
            auth_token_sealed BLOB NOT NULL,
            from_number TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        -- A pager list's contacts in calling order.
        CREATE TABLE pager_contact (
            pager_list_id TEXT NOT NULL REFERENCES pager_list(id),
            position INTEGER NOT NULL CHECK (position >= 0),
            name TEXT NOT NULL,
            phone TEXT NOT NULL,
            PRIMARY KEY (pager_list_id, position)
        );
        CREATE TABLE tenant_settings (
            tenant_id TEXT PRIMARY KEY REFERENCES tenant(id),
            settings TEXT NOT NULL CHECK (json_valid(settings)),
            updated_at TEXT NOT NULL
        );
        """

    static let pagerProcessSchema = """
        -- The live state of each pager run (PagerProcess as JSON), raced for by the webhooks and the deadline
        -- worker: a write names the version it read, and the loser reloads.
        CREATE TABLE pager_process (
            run_id TEXT PRIMARY KEY,
            eco_id TEXT NOT NULL,
            noc_tenant_id TEXT NOT NULL REFERENCES tenant(id),
            state TEXT NOT NULL CHECK (json_valid(state)),
            deadline TEXT NOT NULL,
            finished INTEGER NOT NULL DEFAULT 0 CHECK (finished IN (0, 1)),
            version INTEGER NOT NULL CHECK (version >= 1)
        );
        CREATE INDEX pager_process_due ON pager_process(finished, deadline);
        CREATE UNIQUE INDEX pager_process_one_live_run_per_eco ON pager_process(eco_id) WHERE finished = 0;
        """

    static let renderPollSchema = """
        -- When each followed ECO was last polled and last changed in Render (for the stale flag). The task
        -- fingerprints themselves are in the ECO's events (EcoTaskChanged), so a restart reports no old change.
        CREATE TABLE render_poll_state (
            eco_id TEXT PRIMARY KEY,
            last_polled_at TEXT NOT NULL,
            last_change_at TEXT NOT NULL
        );
        """

    static let simulatorSchema = """
        -- The built-in simulators' own world (DESIGN §6): what Render holds and what the phone network is
        -- doing, kept in the one file so a restart picks every ECO's scenario up where it was.
        CREATE TABLE sim_settings (
            noc_tenant_id TEXT PRIMARY KEY REFERENCES tenant(id),
            default_scenario TEXT NOT NULL,
            speed REAL NOT NULL CHECK (speed > 0)
        );
        CREATE TABLE sim_eco (
            eco_id TEXT PRIMARY KEY,
            noc_tenant_id TEXT NOT NULL REFERENCES tenant(id),
            scenario TEXT NOT NULL,
            field_started_at TEXT,
            field_step INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX sim_eco_noc ON sim_eco(noc_tenant_id, updated_at);
        CREATE TABLE sim_render_task (
            id TEXT PRIMARY KEY,
            osp_tenant_id TEXT NOT NULL REFERENCES tenant(id),
            project_id TEXT NOT NULL,
            subsector TEXT NOT NULL,
            eco_id TEXT,
            task_type TEXT NOT NULL,
            status TEXT NOT NULL,
            description TEXT NOT NULL,
            external_reference TEXT,
            assignee TEXT,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX sim_render_task_subsector ON sim_render_task(osp_tenant_id, project_id, subsector);
        CREATE INDEX sim_render_task_eco ON sim_render_task(eco_id);
        CREATE TABLE sim_call (
            sid TEXT PRIMARY KEY,
            noc_tenant_id TEXT NOT NULL REFERENCES tenant(id),
            eco_id TEXT,
            nth INTEGER NOT NULL,
            behavior TEXT NOT NULL,
            to_number TEXT NOT NULL,
            from_number TEXT NOT NULL,
            twiml TEXT,
            url TEXT,
            status_callback TEXT,
            ring_seconds REAL NOT NULL,
            speed REAL NOT NULL,
            status TEXT NOT NULL,
            step INTEGER NOT NULL DEFAULT 0,
            heard TEXT,
            placed_at TEXT NOT NULL,
            ended_at TEXT
        );
        CREATE INDEX sim_call_eco ON sim_call(eco_id);
        CREATE INDEX sim_call_playing ON sim_call(ended_at);
        """

    static let attentionSchema = """
        -- When the integration status last moved (paging began, a supervisor accepted): the watchers' clock.
        ALTER TABLE eco_view ADD COLUMN integration_changed_at TEXT;
        CREATE INDEX eco_view_waiting ON eco_view(display_status, integration_changed_at);
        -- What needs a person now: one row per ECO and cause, since when, and who acknowledged it.
        CREATE TABLE attention_item (
            eco_id TEXT NOT NULL,
            cause TEXT NOT NULL,
            since TEXT NOT NULL,
            detail TEXT,
            acknowledged_by TEXT,
            acknowledged_at TEXT,
            PRIMARY KEY (eco_id, cause)
        );
        -- Settings that follow the field work belong to the OSP's Render instance.
        ALTER TABLE render_instance ADD COLUMN inactivity_hours INTEGER NOT NULL DEFAULT 24 CHECK (inactivity_hours BETWEEN 1 AND 720);
        ALTER TABLE render_instance ADD COLUMN grace_period_hours INTEGER NOT NULL DEFAULT 24 CHECK (grace_period_hours BETWEEN 1 AND 720);
        ALTER TABLE render_instance ADD COLUMN default_task_type TEXT NOT NULL DEFAULT 'ECO investigation';
        -- One call at a time per person: the phone each live run is ringing, never two runs at once; and, for a
        -- run waiting because everyone left on its list is on another call, the phones it waits for.
        ALTER TABLE pager_process ADD COLUMN ringing_phone TEXT;
        ALTER TABLE pager_process ADD COLUMN awaited_phones TEXT CHECK (awaited_phones IS NULL OR json_valid(awaited_phones));
        CREATE UNIQUE INDEX pager_process_one_call_per_phone ON pager_process(ringing_phone) WHERE finished = 0 AND ringing_phone IS NOT NULL;
        """

    static let applianceSchema = """
        -- A disabled user signs in no more; their sessions and tokens were ended when they were disabled.
        ALTER TABLE app_user ADD COLUMN disabled_at TEXT;
        -- The owner's backup schedule (one row, once the owner saves it; the command line's wins when given).
        CREATE TABLE backup_schedule (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
            directory TEXT NOT NULL CHECK (directory LIKE '/%'),
            every_minutes INTEGER NOT NULL CHECK (every_minutes BETWEEN 15 AND 10080),
            keep INTEGER NOT NULL CHECK (keep BETWEEN 1 AND 1000),
            updated_by TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        -- The last scheduled backup that succeeded and the last that failed.
        CREATE TABLE backup_outcome (
            outcome TEXT PRIMARY KEY CHECK (outcome IN ('success', 'failure')),
            at TEXT NOT NULL,
            file TEXT,
            bytes INTEGER,
            error TEXT
        );
        """
}
