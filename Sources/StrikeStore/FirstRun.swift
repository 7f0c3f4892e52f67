import GRDB
public import StrikeCore

/// The appliance's first run: its owner, and the first NOC if the owner names one, made once.
extension StrikeStore {
    /// Makes the owner and, with `firstNOC`, a NOC of that name with the owner as its admin, in one transaction:
    /// both or neither. Refused (`ownerExists`) once an owner exists, even when two first runs race.
    public func setUp(owner: NewAccount, firstNOC: String?, passwordCost: UInt8) async throws -> (owner: User, noc: Tenant?) {
        var problems: [FieldProblem] = []
        var account = owner
        account.isOwner = true
        account.membership = nil
        do { account = try account.validated() } catch .invalid(let found) { problems += found } catch { throw error }
        var nocName: String?
        if let firstNOC {
            do {
                nocName = try Self.validatedTenantName(kind: .noc, name: firstNOC, jobPrefix: nil)
            } catch .invalid(let found) {
                problems += found.map { FieldProblem(field: "noc.\($0.field)", message: $0.message) }
            } catch { throw error }
        }
        guard problems.isEmpty else { throw DomainError.invalid(problems) }
        let hash = await Passwords.hash(account.password, cost: passwordCost)
        let at = now()
        let actor = ActorID.system("setup")
        return try await write { [account, nocName] db in
            if try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM app_user WHERE is_owner = 1)")) == true {
                throw AccountError(code: .ownerExists, message: "an owner already exists")
            }
            let noc = try nocName.map { name in
                try Self.insertTenant(kind: .noc, name: name, jobPrefix: nil, id: .random(), at: at, actor: actor, db)
            }
            let user = try Self.insertUser(
                username: account.username, displayName: account.displayName, passwordHash: hash, isOwner: true,
                membership: noc.map { NewAccount.Membership(tenant: $0.id, role: .admin) }, at: at, actor: actor, db)
            return (user, noc)
        }
    }
}
