import MetiersConfig
import Testing

/// `[http]` and `--http`: off by default, paths relative to the file, the address checked.
@Suite struct HTTPSettingsTests {
    @Test func offByDefault() {
        #expect(Settings().http.listen == "")
        #expect(Settings().http.staticDirectory == "")
        #expect(Settings().http.tokenFile == "")
    }

    @Test func pathsAreRelativeToTheFile() throws {
        let s = try decode("[http]\nlisten = \"127.0.0.1:8080\"\nstatic = \"../Web\"\ntoken_file = \"/etc/metiers/token\"\n")
        #expect(s.http.listen == "127.0.0.1:8080")
        #expect(s.http.staticDirectory == "/etc/metiers/../Web")
        #expect(s.http.tokenFile == "/etc/metiers/token")
        try s.validate()
    }

    @Test func theFlagOverlaysTheFile() throws {
        let path = try temporaryFile("metiers.toml", "[http]\nlisten = \"127.0.0.1:8080\"\n")
        let options = try DaemonOptions.parse(["--config", path, "--http", "[::1]:9090"])
        #expect(options.settings.http.listen == "[::1]:9090")
    }

    @Test(arguments: ["8080", "localhost", "127.0.0.1:", "127.0.0.1:70000", "::1:8080", "[::1:8080", ":8080", "a b:1"])
    func aBadAddressIsRefused(_ listen: String) {
        let problem = error(decoding: "[http]\nlisten = \"\(listen)\"\n")
        #expect(problem != nil)
        #expect("\(problem.map { "\($0)" } ?? "")".contains("http.listen"))
    }

    @Test func addresses() {
        #expect(HTTPAddress("127.0.0.1:8080") == HTTPAddress("127.0.0.1:8080"))
        #expect(HTTPAddress("[::1]:0")?.host == "::1")
        #expect(HTTPAddress("[::1]:0")?.isLoopback == true)
        #expect(HTTPAddress("localhost:80")?.isLoopback == true)
        #expect(HTTPAddress("0.0.0.0:8080")?.isLoopback == false)
        #expect(HTTPAddress("example.org:443")?.port == 443)
    }
}
