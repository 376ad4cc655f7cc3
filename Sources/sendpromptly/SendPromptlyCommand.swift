import ArgumentParser

@main
struct SendPromptlyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sendpromptly",
        abstract: "Catches payments that were paid but never applied.",
        discussion: """
            Merchants' webhook handlers send a receipt when they accept a payment event and a \
            result once its effect ran. A failed result, or none before the deadline, opens an \
            incident for the operator.
            """,
        subcommands: [ServeCommand.self, SnapshotCommand.self, BenchCommand.self]
    )
}
