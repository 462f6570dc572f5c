/// Latency samples and their summaries. Percentiles are nearest-rank on the sorted samples.
struct Samples {
    /// Microseconds.
    private(set) var values: [Double] = []

    init() {}
    init(_ values: [Double]) { self.values = values }

    mutating func append(_ d: Duration) { values.append(d.microseconds) }
    mutating func append(contentsOf other: Samples) { values.append(contentsOf: other.values) }
    mutating func append(contentsOf other: [Double]) { values.append(contentsOf: other) }

    var count: Int { values.count }
    var isEmpty: Bool { values.isEmpty }

    /// The q-quantile (0 < q ≤ 1), nearest rank.
    func percentile(_ q: Double) -> Double {
        precondition(!values.isEmpty, "no samples")
        let sorted = values.sorted()
        return Self.percentile(sorted, q)
    }

    static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        let rank = Int((q * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    var p50: Double { percentile(0.50) }
    var p99: Double { percentile(0.99) }
}

func median(_ values: [Double]) -> Double {
    precondition(!values.isEmpty)
    let s = values.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

extension Duration {
    var microseconds: Double {
        let c = components
        return Double(c.seconds) * 1e6 + Double(c.attoseconds) / 1e12
    }
    var seconds: Double { microseconds / 1e6 }
}

/// Formatting for the table.
enum Format {
    /// A latency given in µs: "182 µs", "1.42 ms", "2.1 s".
    static func latency(_ us: Double) -> String {
        if us < 10 { return fixed(us, 2) + " µs" }
        if us < 1000 { return fixed(us, us < 100 ? 1 : 0) + " µs" }
        if us < 1_000_000 { return fixed(us / 1000, us < 10_000 ? 2 : 1) + " ms" }
        return fixed(us / 1_000_000, 2) + " s"
    }

    static func seconds(_ s: Double) -> String {
        s < 1 ? fixed(s * 1000, 0) + " ms" : fixed(s, s < 10 ? 2 : 1) + " s"
    }

    static func fixed(_ x: Double, _ digits: Int) -> String {
        guard x.isFinite else { return "–" }
        var p = 1.0
        for _ in 0..<digits { p *= 10 }
        let r = (abs(x) * p).rounded() / p
        var whole = String(Int(r))
        if digits > 0 {
            var frac = String(Int(((r - r.rounded(.down)) * p).rounded()))
            while frac.count < digits { frac = "0" + frac }
            whole += "." + frac
        }
        return (x < 0 && r != 0 ? "-" : "") + whole
    }

    /// 12345 -> "12,345".
    static func grouped(_ n: Int) -> String {
        let s = String(abs(n))
        var out = ""
        for (i, c) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out += "," }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    static func rate(_ perSecond: Double) -> String { grouped(Int(perSecond.rounded())) }

    static func ratio(_ x: Double) -> String { fixed(x, 2) + "×" }

    static func mib(kib: Int) -> String { fixed(Double(kib) / 1024, 1) + " MiB" }

    static func percent(_ x: Double) -> String { fixed(x * 100, 0) + "%" }
}
