import CloudSimulator
import Deployment
import Foundation

/// `ce simulate compare --report FILE.html`: one self-contained page (inline CSS and SVG, nothing fetched when it
/// is viewed) with the comparison's table and, per strategy, a timeline of its first run: the share of requests each
/// build answered (seconds with both shaded), the instances taking traffic and running, and the 5xx.
enum ComparisonReport {
    static let width = 960.0
    static let left = 56.0
    static let right = 16.0
    static let colors = ["v1": "#3867c8", "v2": "#2e9d5b", "-": "#9a9a9a"]

    static func html(_ result: StrategyComparisonResult) -> String {
        let c = result.comparison
        let text = ComparisonRenderer.text(result).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let settings = text.prefix { !$0.isEmpty }
        var body = "<h1>\(escape("ce simulate compare: \(c.environment.name)"))</h1>\n"
        body += settings.map { "<p class=\"settings\">\(escape($0))</p>" }.joined(separator: "\n") + "\n"
        body += table(result)
        body += "<p class=\"note\">Two builds live: the seconds in which both builds answered requests (the design document's problem), and the share of the deploy's requests answered in them. Lowest capacity: the fewest instances taking traffic at any second. Extra instance-hours: instances running beyond \(c.instances), summed over the deploy.</p>\n"
        for summary in result.strategies {
            guard let run = summary.runs.first else { continue }
            body += "<section>\n<h2>\(escape(summary.strategy.rawValue))</h2>\n"
            body += "<p class=\"settings\">\(escape("seed \(run.seed): \(run.outcome) in \(DurationText.of(run.durationSeconds)); two builds live \(run.mixedSeconds) s (\(ComparisonRenderer.percent(run.mixedShare)) of requests); \(run.errors) 5xx; lowest capacity \(run.lowestCapacity) of \(c.instances)"))</p>\n"
            body += chart(run, instances: c.instances)
            body += "</section>\n"
        }
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>\(escape("ce simulate compare: \(c.environment.name)"))</title>
            <style>
            body { font-family: -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; margin: 24px; color: #1d1d1d; max-width: 1000px; }
            h1 { font-size: 20px; } h2 { font-size: 16px; margin: 24px 0 4px; }
            p.settings { margin: 2px 0; font-size: 13px; color: #444; } p.note { font-size: 12px; color: #555; }
            table { border-collapse: collapse; margin: 16px 0; font-size: 13px; }
            th, td { border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: left; } td.n { text-align: right; }
            svg { width: 100%; height: auto; } svg text { font-size: 11px; fill: #333; }
            .legend span { display: inline-block; margin-right: 14px; font-size: 12px; } .legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -2px; }
            </style>
            </head>
            <body>
            \(body)</body>
            </html>

            """
    }

    static func table(_ result: StrategyComparisonResult) -> String {
        let c = result.comparison
        var html = "<table>\n<tr><th>strategy</th><th>outcome</th><th>duration</th><th>two builds live</th><th>share of requests</th><th>5xx</th><th>lowest capacity</th><th>extra instance-hours</th><th>API calls</th></tr>\n"
        for s in result.strategies {
            let cells = [
                ComparisonRenderer.show(s.duration) { DurationText.of($0) }, ComparisonRenderer.show(s.mixedSeconds) { DurationText.of($0) },
                ComparisonRenderer.show(s.mixedShare) { ComparisonRenderer.percent($0) }, ComparisonRenderer.show(s.errors) { String(Int($0)) },
                ComparisonRenderer.show(s.lowestCapacity) { "\(Int($0)) of \(c.instances)" },
                ComparisonRenderer.show(s.extraInstanceHours) { String(format: "%.2f", $0) }, ComparisonRenderer.show(s.apiCalls) { String(Int($0)) },
            ]
            html += "<tr><td>\(escape(s.strategy.rawValue))</td><td>\(escape(s.outcomes))</td>" + cells.map { "<td class=\"n\">\(escape($0))</td>" }.joined() + "</tr>\n"
        }
        return html + "</table>\n"
    }

    /// Three panels over the run's seconds: share of requests by build, instances, 5xx.
    static func chart(_ run: StrategyRun, instances: Int) -> String {
        let samples = run.timeline
        guard !samples.isEmpty else { return "<p>no samples</p>\n" }
        let first = samples[0].second - 1
        let span = max(1, (samples.last!.second - first))
        let plot = width - left - right
        func x(_ second: Double) -> Double { left + (second - first) / span * plot }
        let (shareTop, shareHeight) = (20.0, 120.0)
        let (capacityTop, capacityHeight) = (170.0, 90.0)
        let (errorsTop, errorsHeight) = (290.0, 40.0)
        let height = errorsTop + errorsHeight + 34
        var svg = "<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\">\n"

        // Seconds in which both builds answered: a band above the shares.
        var bandStart: Double?
        for (index, sample) in samples.enumerated() {
            let mixed = sample.builds.count > 1
            if mixed && bandStart == nil { bandStart = sample.second - 1 }
            if let start = bandStart, !mixed || index == samples.count - 1 {
                let end = mixed ? sample.second : sample.second - 1
                svg += rect(x(start), shareTop - 12, max(1, x(end) - x(start)), 8, fill: "#e0a800", opacity: 1)
                bandStart = nil
            }
        }
        // Shares of requests by build, stacked: v1 at the bottom, v2 above, the load balancer's own answers on top.
        var lastShares: [String: Double] = ["v1": 1]
        var shares: [[String: Double]] = []
        for sample in samples {
            let total = Double(sample.requests)
            if total > 0 { lastShares = sample.requestsByVersion.mapValues { Double($0) / total } }
            shares.append(lastShares)
        }
        var floor = Array(repeating: 0.0, count: samples.count)
        for build in ["v1", "v2", "-"] {
            let top = zip(floor, shares).map { $0 + ($1[build] ?? 0) }
            guard top != floor else { continue }
            var points: [String] = []
            for (i, sample) in samples.enumerated() {
                points.append(point(x(sample.second - 1), shareTop + shareHeight * (1 - top[i])))
                points.append(point(x(sample.second), shareTop + shareHeight * (1 - top[i])))
            }
            for (i, sample) in samples.enumerated().reversed() {
                points.append(point(x(sample.second), shareTop + shareHeight * (1 - floor[i])))
                points.append(point(x(sample.second - 1), shareTop + shareHeight * (1 - floor[i])))
            }
            svg += "<polygon points=\"\(points.joined(separator: " "))\" fill=\"\(colors[build]!)\" fill-opacity=\"0.85\"/>\n"
            floor = top
        }
        svg += axisLabel("share of requests", top: shareTop, height: shareHeight) + yTicks(["100%", "50%", "0%"], top: shareTop, height: shareHeight)

        // Instances taking traffic (solid) and running (dashed).
        let most = Double(max(1, samples.map { max($0.instances, $0.servingCapacity) }.max() ?? 1, instances))
        func capacityY(_ value: Int) -> Double { capacityTop + capacityHeight * (1 - Double(value) / most) }
        svg += line(samples.map { (x($0.second), capacityY($0.instances)) }, stroke: "#d4781f", dashed: true)
        svg += line(samples.map { (x($0.second), capacityY($0.servingCapacity)) }, stroke: "#1d1d1d", dashed: false)
        svg += axisLabel("instances", top: capacityTop, height: capacityHeight) + yTicks([String(Int(most)), String(Int(most / 2)), "0"], top: capacityTop, height: capacityHeight)

        // 5xx per second.
        let worst = Double(max(1, samples.map(\.errors).max() ?? 1))
        for sample in samples where sample.errors > 0 {
            let h = errorsHeight * Double(sample.errors) / worst
            svg += rect(x(sample.second - 1), errorsTop + errorsHeight - h, max(1, x(sample.second) - x(sample.second - 1)), h, fill: "#c8383d", opacity: 1)
        }
        svg += axisLabel("5xx / s", top: errorsTop, height: errorsHeight) + yTicks([String(Int(worst)), "", "0"], top: errorsTop, height: errorsHeight)

        // Time axis: ticks at a round step, in minutes and seconds since the deploy started.
        let step = [10.0, 30, 60, 120, 300, 600, 1200, 1800, 3600].first { span / $0 <= 10 } ?? 7200
        var tick = 0.0
        while tick <= span {
            let tx = x(first + tick)
            svg += "<line x1=\"\(f(tx))\" y1=\"\(f(shareTop))\" x2=\"\(f(tx))\" y2=\"\(f(errorsTop + errorsHeight))\" stroke=\"#000\" stroke-opacity=\"0.08\"/>\n"
            svg += "<text x=\"\(f(tx))\" y=\"\(f(errorsTop + errorsHeight + 14))\" text-anchor=\"middle\">\(DurationText.of(tick))</text>\n"
            tick += step
        }
        svg += "<text x=\"\(f(left + plot / 2))\" y=\"\(f(height - 4))\" text-anchor=\"middle\">time since the deploy started</text>\n"
        svg += "</svg>\n"
        let legend = """
            <div class="legend"><span><i style="background:\(colors["v1"]!)"></i>v1 answered</span><span><i style="background:\(colors["v2"]!)"></i>v2 answered</span>\
            <span><i style="background:\(colors["-"]!)"></i>no instance (503)</span><span><i style="background:#e0a800"></i>both builds live (band above)</span>\
            <span><i style="background:#1d1d1d"></i>instances taking traffic</span><span><i style="background:#d4781f"></i>instances running</span>\
            <span><i style="background:#c8383d"></i>5xx</span></div>

            """
        return svg + legend
    }

    static func f(_ value: Double) -> String { String(format: "%.1f", value) }
    static func point(_ x: Double, _ y: Double) -> String { "\(f(x)),\(f(y))" }

    static func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, opacity: Double) -> String {
        "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(w))\" height=\"\(f(h))\" fill=\"\(fill)\" fill-opacity=\"\(opacity)\"/>\n"
    }

    static func line(_ points: [(Double, Double)], stroke: String, dashed: Bool) -> String {
        "<polyline points=\"\(points.map { point($0.0, $0.1) }.joined(separator: " "))\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"1.6\"\(dashed ? " stroke-dasharray=\"5 3\"" : "")/>\n"
    }

    static func axisLabel(_ text: String, top: Double, height: Double) -> String {
        "<text x=\"12\" y=\"\(f(top + height / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 12 \(f(top + height / 2)))\">\(escape(text))</text>\n"
            + "<line x1=\"\(f(left))\" y1=\"\(f(top + height))\" x2=\"\(f(width - right))\" y2=\"\(f(top + height))\" stroke=\"#666\"/>\n"
    }

    static func yTicks(_ labels: [String], top: Double, height: Double) -> String {
        labels.enumerated().map { index, label in
            "<text x=\"\(f(left - 6))\" y=\"\(f(top + height * Double(index) / Double(labels.count - 1) + 4))\" text-anchor=\"end\">\(escape(label))</text>\n"
        }.joined()
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}
