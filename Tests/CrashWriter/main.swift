// The child process that the crash-safety tests kill with SIGKILL.
//
//   strike-crash-writer append DATABASE          create ECOs forever, printing each id once committed
//   strike-crash-writer consume DATABASE hang    deliver EcoCreated to a consumer that prints
//                                                "handled POSITION" and then never returns
//   strike-crash-writer consume DATABASE finish  the same consumer, returning normally; exits when caught up
//   strike-crash-writer render DATABASE          run the Render integration (key file DATABASE.key) until caught up
import Foundation
import StrikeCore
import StrikeIntegrations
import StrikeStore
import StrikeTestSupport
import StrikeWorkers

/// Prints straight to the pipe: a line the parent reads has happened.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

struct PrintingConsumer: EventConsumer {
    let name = "crash-test"
    let hang: Bool

    func wants(_ event: RecordedEvent) -> Bool { event.type == "EcoCreated" }

    func handle(_ event: RecordedEvent, _ context: ConsumerContext) async throws {
        say("handled \(event.position)")
        if hang { try await Task.sleep(for: .seconds(3600)) }
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch (arguments.first, arguments.count) {
case ("append", 2):
    let store = try StrikeStore(path: arguments[1])
    try await TestWorld.seedTenants(store)
    var count = 0
    while true {
        let result = try await store.createEco(TestWorld.draft("Crash test cut \(count)"), actor: TestWorld.actor)
        say(result.state.id!.rawValue)
        count += 1
    }
case ("consume", 3) where ["hang", "finish"].contains(arguments[2]):
    let store = try StrikeStore(path: arguments[1])
    try await ConsumerRunner(store: store, consumers: [PrintingConsumer(hang: arguments[2] == "hang")]).drain()
    say("caught up")
case ("render", 2):
    let store = try StrikeStore(path: arguments[1], secrets: try KeyFile.loadOrCreate(at: arguments[1] + ".key"))
    let integration = RenderIntegration(
        store: store, client: RenderClient(transport: URLSessionTransport(), clock: store.clock),
        endpoints: Endpoints(publicBaseURL: nil, localBaseURL: URL(string: "http://127.0.0.1:9")!), clock: store.clock)
    try await ConsumerRunner(store: store, consumers: [integration]).drain()
    say("caught up")
default:
    FileHandle.standardError.write(Data("usage: strike-crash-writer append DATABASE | consume DATABASE hang|finish | render DATABASE\n".utf8))
    exit(2)
}
