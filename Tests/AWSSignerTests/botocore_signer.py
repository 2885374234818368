"""Signs requests with botocore's SigV4Auth, for cross-checking the Swift signer.

Reads one JSON request per line on stdin; writes one JSON line per request with botocore's canonical request,
string to sign and Authorization header.
"""
import datetime
import json
import sys
from unittest import mock
from urllib.parse import quote

from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.config import Config
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


class RecordingSigV4Auth(SigV4Auth):
    """Keeps the canonical request and string to sign that botocore computed while signing."""

    def string_to_sign(self, request, canonical_request):
        self.canonical = canonical_request
        self.sts = super().string_to_sign(request, canonical_request)
        return self.sts


class RecordingS3SigV4Auth(S3SigV4Auth):
    """S3's variant: the path as it is, the payload hash sent in X-Amz-Content-SHA256."""

    def string_to_sign(self, request, canonical_request):
        self.canonical = canonical_request
        self.sts = super().string_to_sign(request, canonical_request)
        return self.sts


for line in sys.stdin:
    r = json.loads(line)
    creds = Credentials(r["accessKeyId"], r["secretAccessKey"], r.get("sessionToken"))
    s3 = r.get("s3", False)
    auth = (RecordingS3SigV4Auth if s3 else RecordingSigV4Auth)(creds, r["service"], r["region"])
    headers = [(k, v) for k, v in r["headers"]]
    # S3: the path goes into the URL quoted as botocore's serializer quotes an object key (safe "/~"); S3SigV4Auth
    # then signs it as it is.
    path = quote(r["path"], safe="/~") if s3 else r["path"]
    req = AWSRequest(method=r["method"], url="https://" + r["host"] + path,
                     params=[(k, v) for k, v in r["query"]], data=r["body"].encode("utf-8"))
    for k, v in headers:
        req.headers.add_header(k, v)
    if s3:
        # Always sign the payload (botocore may skip it over https when a checksum header is sent).
        req.context["client_config"] = Config(s3={"payload_signing_enabled": True})
    when = datetime.datetime.fromtimestamp(r["epoch"], tz=datetime.timezone.utc).replace(tzinfo=None)
    with mock.patch("botocore.auth.get_current_datetime", return_value=when):
        auth.add_auth(req)
    print(json.dumps({
        "canonicalRequest": auth.canonical,
        "stringToSign": auth.sts,
        "authorization": req.headers["Authorization"],
    }), flush=True)
