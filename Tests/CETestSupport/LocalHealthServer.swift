import Foundation

/// An HTTP server on a free 127.0.0.1 port answering `GET /healthcheck` with the given status, for testing the
/// HTTP health gate without ever probing an instance's (fake) address. Stopped by PID when released.
public final class LocalHealthServer: @unchecked Sendable {
    let server: LocalPythonServer
    public var port: Int { server.port }

    public init(status: Int = 200) throws {
        let script = """
            import http.server
            class H(http.server.BaseHTTPRequestHandler):
                def log_message(self, *a): pass
                def do_GET(self):
                    code = \(status) if self.path == "/healthcheck" else 404
                    self.send_response(code); self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"ok")
            s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
            print(s.server_address[1], flush=True)
            s.serve_forever()
            """
        server = try LocalPythonServer(arguments: ["-c", script])
    }
}
