import ArgumentParser
import MetiersClient
import MetiersProtocol

struct Suggest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suggest",
        abstract: "Complete a job title as it is typed: the titles that best match a prefix, each with its card.")
    @Argument(help: "The start of a title (several arguments are joined with spaces; the last word is a prefix).") var prefix: [String]
    @Option(help: "Titles to show (1-20; default 8).") var limit: Int?
    @OptionGroup var options: ClientOptions
    func run() throws {
        try options.run(Request(.suggest(query: prefix.joined(separator: " "), limit: limit)), render: Rendering.suggestions)
    }
}
