import ArgumentParser
import Foundation
import StrikeApp
import StrikeCore
import StrikeStore

struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Manage users.", subcommands: [Add.self, List.self, Passwd.self, Disable.self, Enable.self, SetRole.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a user; the password is read from the first line of standard input.")

        @OptionGroup var database: DatabaseOption
        @Option(help: "The sign-in name.") var username: String
        @Option(help: "The name shown to others (default: the username).") var displayName: String?
        @Flag(help: "Make this user the appliance owner.") var owner = false
        @Option(help: "A tenant to make the user a member of.") var tenant: String?
        @Option(help: "The role in that tenant: admin, dispatcher or viewer.") var role: String?

        func run() async throws {
            let role = try self.role.map { name in
                guard let role = Role(rawValue: name) else { throw ValidationError("--role must be admin, dispatcher or viewer") }
                return role
            }
            guard (tenant == nil) == (role == nil) else { throw ValidationError("--tenant and --role go together") }
            let path = database.resolved
            let lock = try WriterLock(databasePath: path)
            guard let password = readLine(strippingNewline: true) else {
                throw ValidationError("give the password on standard input, for example: strike user add … < password-file")
            }
            let store = try StrikeStore(path: path)
            let membership = tenant.flatMap { tenant in role.map { NewAccount.Membership(tenant: TenantID(tenant), role: $0) } }
            let account = NewAccount(
                username: username, displayName: displayName ?? username, password: password, isOwner: owner, membership: membership)
            let user = try await store.createAccount(account, passwordCost: AppConfiguration().passwordCost, actor: .system("cli"))
            print("user \(user.username) added\(user.isOwner ? " as the appliance owner" : "")")
            withExtendedLifetime(lock) {}
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every user with their tenants and roles.")
        @OptionGroup var database: DatabaseOption

        func run() async throws {
            let store = try StrikeStore(path: try database.existing(), options: DatabaseOptions(readOnly: true))
            for user in try await store.users() {
                let memberships = try await store.memberships(userID: user.id).map { "\($0.tenantName) (\($0.tenantID)): \($0.role.rawValue)" }
                let standing = [user.isOwner ? "owner" : nil, user.disabledAt.map { "disabled since \($0)" }].compactMap { $0 }
                let columns = [user.username, user.displayName, standing.isEmpty ? "-" : standing.joined(separator: ", "),
                               memberships.isEmpty ? "-" : memberships.joined(separator: "; ")]
                print(columns.joined(separator: "\t"))
            }
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a user's password from the first line of standard input; their sessions end.")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "The username.") var username: String

        func run() async throws {
            try await withAccounts(database) { store in
                guard let password = readLine(strippingNewline: true) else {
                    throw ValidationError("give the new password on standard input, for example: strike user passwd \(username) < password-file")
                }
                try await store.setPassword(password, username: username, passwordCost: AppConfiguration().passwordCost, actor: .system("cli"))
                print("password of \(username) set; their sessions ended")
            }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop a user signing in; their sessions end and the API tokens they made are revoked, at once.")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "The username.") var username: String

        func run() async throws {
            try await setDisabled(true, username: username, in: database)
            print("\(username) disabled: sessions ended, API tokens revoked")
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Let a disabled user sign in again (their revoked tokens stay revoked).")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "The username.") var username: String

        func run() async throws {
            try await setDisabled(false, username: username, in: database)
            print("\(username) may sign in again")
        }
    }

    struct SetRole: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "role", abstract: "Give a user a role in a tenant, change it, or remove them from the tenant (none).")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "The username.") var username: String
        @Option(help: "The tenant's id.") var tenant: String
        @Option(help: "admin, dispatcher, viewer, or none to remove the membership.") var role: String

        func run() async throws {
            let role: Role? = try {
                if self.role == "none" { return nil }
                guard let role = Role(rawValue: self.role) else { throw ValidationError("--role must be admin, dispatcher, viewer or none") }
                return role
            }()
            try await withAccounts(database) { store in
                let tenantID = TenantID(tenant)
                guard try await store.tenant(tenantID) != nil else { throw ValidationError("there is no tenant \(tenant)") }
                guard let user = try await store.user(named: username) else { throw ValidationError("there is no user \(username)") }
                if try await store.changeMembership(userID: user.id, tenantID: tenantID, role: role, actor: .system("cli")) {
                    print(role.map { "\(username) is now \($0.rawValue) of \(tenant)" } ?? "\(username) removed from \(tenant)")
                } else if let role {
                    _ = try await store.addMember(username: username, tenantID: tenantID, role: role, actor: .system("cli"))
                    print("\(username) is now \(role.rawValue) of \(tenant)")
                } else {
                    print("\(username) was not a member of \(tenant)")
                }
            }
        }
    }
}

private func setDisabled(_ disabled: Bool, username: String, in database: DatabaseOption) async throws {
    try await withAccounts(database) { store in _ = try await store.setDisabled(disabled, username: username, actor: .system("cli")) }
}

/// Runs an account change on the database with the writer lock held (the appliance must be stopped).
private func withAccounts(_ database: DatabaseOption, _ body: (StrikeStore) async throws -> Void) async throws {
    let path = try database.existing()
    let lock = try WriterLock(databasePath: path)
    try await body(try StrikeStore(path: path))
    withExtendedLifetime(lock) {}
}
