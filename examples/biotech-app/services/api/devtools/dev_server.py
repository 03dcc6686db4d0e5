"""Local stack for browser tests: moto (S3, Step Functions, SQS) + migrations + the API.

PostgreSQL comes from ``DATABASE_URL`` (scripts/dev-server.sh starts one). Prints one JSON line
with the URLs once everything answers, then serves until SIGINT/SIGTERM. Configuration:

  OIDC_ISSUER, OIDC_AUDIENCE   the browser test's identity provider (required unless
                               DEV_LOCAL_ISSUER=1, which starts devtools' own test issuer)
  API_PORT (8000), MOTO_PORT (free port), API_HOST (127.0.0.1)
  CORS_ORIGINS                 web app origin(s); also applied to the buckets' CORS rules
  DEV_INFO_FILE                also write the JSON line to this file
  Executions stay RUNNING: nothing plays the pipeline here. The whole platform, with the real
  state machine definition and worker, is `bash local/start.sh` at the repository root.
  any other API variable (MAX_UPLOAD_BYTES, MAX_CONCURRENT_ANALYSES_PER_USER, ...)
"""

from __future__ import annotations

import os

# The buckets' own CORS rules must be the only CORS answer (as on AWS): turn moto's global
# permissive CORS off before moto is imported.
os.environ.setdefault("MOTO_DISABLE_GLOBAL_CORS", "true")

import json
import logging
import signal
import sys
import threading
import time
import urllib.request
from typing import Any

import uvicorn

from biotech_api.config import Settings
from biotech_api.main import create_app
from biotech_api.migrate import run as migrate
from devtools.local_aws import free_port, set_execution_status, start_local_aws
from devtools.oidc_issuer import LocalIssuer


def main() -> int:
    logging.basicConfig(level=logging.WARNING)
    host = os.environ.get("API_HOST", "127.0.0.1")
    api_port = int(os.environ.get("API_PORT", "8000"))
    moto_port = int(os.environ.get("MOTO_PORT", "0")) or free_port()
    if not os.environ.get("DATABASE_URL"):
        print("DATABASE_URL is required (scripts/dev-server.sh provides one)", file=sys.stderr)
        return 2
    issuer = None
    if os.environ.get("DEV_LOCAL_ISSUER") == "1":
        issuer = LocalIssuer(audience=os.environ.get("OIDC_AUDIENCE", "biotech-web")).start()
        os.environ["OIDC_ISSUER"] = issuer.issuer
        os.environ["OIDC_AUDIENCE"] = issuer.audience
    cors = [o.strip() for o in os.environ.get("CORS_ORIGINS", "").split(",") if o.strip()]
    aws = start_local_aws(moto_port, cors_origins=cors or ["*"])
    os.environ.update(aws.env())
    os.environ.setdefault("COMPLETION_QUEUE_URL", "")
    os.environ.setdefault("STATUS_POLL_INTERVAL_SECONDS", "2")
    settings = Settings.from_env()
    migrate("upgrade", "head", settings)

    app = create_app(settings)
    config = uvicorn.Config(app, host=host, port=api_port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://{host}:{api_port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base}/api/healthz", timeout=1).close()  # noqa: S310  # nosec B310
            break
        except OSError:
            time.sleep(0.1)
    info: dict[str, Any] = {
        "api": f"{base}/api",
        "openapi": f"{base}/api/openapi.json",
        "s3Endpoint": aws.endpoint,
        "uploadsBucket": aws.uploads_bucket,
        "resultsBucket": aws.results_bucket,
        "stateMachineArn": aws.state_machine_arn,
        "oidcIssuer": settings.oidc_issuer,
        "oidcAudience": settings.oidc_audience,
    }
    if issuer is not None:
        info["sampleToken"] = issuer.token("dev-user", email="dev@example.org", name="Dev User")
    line = json.dumps(info)
    print(line, flush=True)
    if os.environ.get("DEV_INFO_FILE"):
        with open(os.environ["DEV_INFO_FILE"], "w", encoding="utf-8") as fh:
            fh.write(line + "\n")

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.is_set() and thread.is_alive():
        stop.wait(0.5)
    server.should_exit = True
    thread.join(timeout=10)
    aws.stop()
    if issuer is not None:
        issuer.stop()
    return 0


__all__ = ["main", "set_execution_status"]

if __name__ == "__main__":
    sys.exit(main())
