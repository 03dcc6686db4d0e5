"""Creates in moto what the wiring (local/wiring, read from the synthesized template) lists.

Reads one JSON document on stdin: {"endpoint", "region", "buckets": [...], "queues": [...],
"rules": [...]}, with names as the template resolves them and the buckets' CORS origins already
mapped to the local front URL. Prints one JSON line with the queue URLs moto gave.
"""

from __future__ import annotations

import json
import sys

import boto3


def main() -> int:
    spec = json.load(sys.stdin)
    kw = {
        "endpoint_url": spec["endpoint"],
        "region_name": spec["region"],
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",  # moto's dummy credentials
    }
    s3 = boto3.client("s3", **kw)
    sqs = boto3.client("sqs", **kw)
    events = boto3.client("events", **kw)
    for b in spec["buckets"]:
        s3.create_bucket(Bucket=b["name"], CreateBucketConfiguration={"LocationConstraint": spec["region"]})
        if b["versioned"]:
            s3.put_bucket_versioning(Bucket=b["name"], VersioningConfiguration={"Status": "Enabled"})
        if b["cors"]:
            rules = [
                {
                    "AllowedOrigins": r["AllowedOrigins"],
                    "AllowedMethods": r["AllowedMethods"],
                    **({"AllowedHeaders": r["AllowedHeaders"]} if r.get("AllowedHeaders") else {}),
                    **({"ExposeHeaders": r["ExposedHeaders"]} if r.get("ExposedHeaders") else {}),
                    **({"MaxAgeSeconds": r["MaxAge"]} if r.get("MaxAge") is not None else {}),
                }
                for r in b["cors"]
            ]
            s3.put_bucket_cors(Bucket=b["name"], CORSConfiguration={"CORSRules": rules})
        if b["lifecycle"]:
            s3.put_bucket_lifecycle_configuration(
                Bucket=b["name"], LifecycleConfiguration={"Rules": [_lifecycle_rule(r) for r in b["lifecycle"]]}
            )
    urls: dict[str, str] = {}
    # Dead-letter queues first: a redrive policy names its target's ARN.
    for q in sorted(spec["queues"], key=lambda q: q.get("redrive") is not None):
        attributes = {}
        if q.get("visibilityTimeout") is not None:
            attributes["VisibilityTimeout"] = str(q["visibilityTimeout"])
        if q.get("redrive"):
            attributes["RedrivePolicy"] = json.dumps(q["redrive"])
        urls[q["name"]] = sqs.create_queue(QueueName=q["name"], Attributes=attributes)["QueueUrl"]
    for rule in spec["rules"]:
        events.put_rule(Name=rule["name"], EventPattern=json.dumps(rule["eventPattern"]), State="ENABLED")
        if rule["targets"]:
            events.put_targets(
                Rule=rule["name"], Targets=[{"Id": t["id"], "Arn": t["arn"]} for t in rule["targets"]]
            )
    print(json.dumps({"queueUrls": urls}), flush=True)
    return 0


def _lifecycle_rule(r: dict) -> dict:
    """CloudFormation's lifecycle rule shape to the S3 API's."""
    out: dict = {"ID": r.get("Id", "rule"), "Status": r["Status"]}
    flt: dict = {}
    if r.get("Prefix"):
        flt["Prefix"] = r["Prefix"]
    if r.get("ObjectSizeGreaterThan") is not None:
        flt["ObjectSizeGreaterThan"] = int(r["ObjectSizeGreaterThan"])
    out["Filter"] = flt
    if r.get("ExpirationInDays") is not None:
        out["Expiration"] = {"Days": r["ExpirationInDays"]}
    elif r.get("ExpiredObjectDeleteMarker"):
        out["Expiration"] = {"ExpiredObjectDeleteMarker": True}
    if r.get("AbortIncompleteMultipartUpload"):
        out["AbortIncompleteMultipartUpload"] = r["AbortIncompleteMultipartUpload"]
    if r.get("NoncurrentVersionExpiration"):
        out["NoncurrentVersionExpiration"] = {"NoncurrentDays": r["NoncurrentVersionExpiration"]["NoncurrentDays"]}
    if r.get("Transitions"):
        out["Transitions"] = [{"Days": t["TransitionInDays"], "StorageClass": t["StorageClass"]} for t in r["Transitions"]]
    if r.get("NoncurrentVersionTransitions"):
        out["NoncurrentVersionTransitions"] = [
            {"NoncurrentDays": t["TransitionInDays"], "StorageClass": t["StorageClass"]}
            for t in r["NoncurrentVersionTransitions"]
        ]
    return out


if __name__ == "__main__":
    sys.exit(main())
