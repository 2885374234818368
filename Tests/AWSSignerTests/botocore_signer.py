"""Signs requests with botocore's SigV4Auth, for cross-checking the Swift signer.

Reads one JSON request per line on stdin; writes one JSON line per request with botocore's canonical request,
string to sign and Authorization header.
"""
import datetime
import json
import sys
from unittest import mock

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


class RecordingSigV4Auth(SigV4Auth):
    """Keeps the canonical request and string to sign that botocore computed while signing."""

    def string_to_sign(self, request, canonical_request):
        self.canonical = canonical_request
        self.sts = super().string_to_sign(request, canonical_request)
        return self.sts


for line in sys.stdin:
    r = json.loads(line)
    creds = Credentials(r["accessKeyId"], r["secretAccessKey"], r.get("sessionToken"))
    auth = RecordingSigV4Auth(creds, r["service"], r["region"])
    headers = [(k, v) for k, v in r["headers"]]
    req = AWSRequest(method=r["method"], url="https://" + r["host"] + r["path"],
                     params=[(k, v) for k, v in r["query"]], data=r["body"].encode("utf-8"))
    for k, v in headers:
        req.headers.add_header(k, v)
    when = datetime.datetime.fromtimestamp(r["epoch"], tz=datetime.timezone.utc).replace(tzinfo=None)
    with mock.patch("botocore.auth.get_current_datetime", return_value=when):
        auth.add_auth(req)
    print(json.dumps({
        "canonicalRequest": auth.canonical,
        "stringToSign": auth.sts,
        "authorization": req.headers["Authorization"],
    }), flush=True)
