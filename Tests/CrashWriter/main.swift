// The child process of the crash-safety and backup tests: opens the database given as its only argument,
// then creates ECOs forever, printing each ECO id on its own line once its transaction has committed.
import Foundation
import StrikeCore
import StrikeStore
import StrikeTestSupport

guard CommandLine.arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: strike-crash-writer DATABASE\n".utf8))
    exit(2)
}
let store = try StrikeStore(path: CommandLine.arguments[1])
try await TestWorld.seedTenants(store)
var count = 0
while true {
    let result = try await store.createEco(TestWorld.draft("Crash test cut \(count)"), actor: TestWorld.actor)
    // Written straight to the pipe: an id the parent reads has been committed.
    FileHandle.standardOutput.write(Data((result.state.id!.rawValue + "\n").utf8))
    count += 1
}
