import ArgumentParser
import Foundation
import StrikeApp
import StrikeCore
import StrikeStore

struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Manage users.", subcommands: [Add.self])

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
}
