"""A fake EC2 instance-metadata (IMDSv2) and container-credentials server on 127.0.0.1, for credential tests.

Prints its port on the first line of stdout, then serves until killed.
  PUT  /latest/api/token                                   a session token (needs the TTL header)
  GET  /latest/meta-data/iam/security-credentials/         the role name (needs the token)
  GET  /latest/meta-data/iam/security-credentials/<role>   the role's credentials document
  GET  /latest/meta-data/placement/region                  eu-west-2
  GET  /norole/latest/...                                  as above, but no role is attached (404)
  GET  /container/credentials                              credentials; needs Authorization: container-token
  GET  /_log                                               the requests served so far (method, path, headers)
"""
import datetime
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "imds-session-token"
LOG = []


def expiration(hours):
    when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=hours)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body, content_type="text/plain"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def record(self):
        LOG.append({"method": self.command, "path": self.path,
                    "headers": {k.lower(): v for k, v in self.headers.items()
                                if k.lower().startswith("x-aws") or k.lower() == "authorization"}})

    def do_PUT(self):
        self.record()
        path = self.path.removeprefix("/norole")
        if path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            return self.reply(200, TOKEN)
        return self.reply(400, "bad token request")

    def do_GET(self):
        if self.path == "/_log":
            return self.reply(200, json.dumps(LOG), "application/json")
        self.record()
        if self.path == "/container/credentials":
            if self.headers.get("Authorization") != "container-token":
                return self.reply(401, "unauthorized")
            return self.reply(200, json.dumps({
                "AccessKeyId": "ASIACONTAINER0001", "SecretAccessKey": "container-secret",
                "Token": "container-session", "Expiration": expiration(1)}), "application/json")
        no_role = self.path.startswith("/norole/")
        path = self.path.removeprefix("/norole")
        if not path.startswith("/latest/meta-data/"):
            return self.reply(404, "not found")
        if self.headers.get("X-aws-ec2-metadata-token") != TOKEN:
            return self.reply(401, "IMDSv2 token required")
        if path == "/latest/meta-data/placement/region":
            return self.reply(200, "eu-west-2")
        if path == "/latest/meta-data/iam/security-credentials/":
            return self.reply(404, "none") if no_role else self.reply(200, "ce-admin-role")
        if path == "/latest/meta-data/iam/security-credentials/ce-admin-role" and not no_role:
            return self.reply(200, json.dumps({
                "Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": "ASIAIMDSROLE00001",
                "SecretAccessKey": "imds-secret", "Token": "imds-session", "Expiration": expiration(6)}),
                "application/json")
        return self.reply(404, "not found")


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
