'use strict';
/**
 * The two AWS calls the state machine makes to services moto serves (S3 GetObject with a Range,
 * EventBridge PutEvents), sent to moto's server over HTTP. moto does not verify signatures: the
 * Authorization header only carries the credential scope moto reads the region (and account,
 * from a 12-digit access key) from.
 */
const { StatesError } = require('../executor/asl');

function authorization(region, service, account) {
  return `AWS4-HMAC-SHA256 Credential=${account}/20260101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=0`;
}

class MotoHttp {
  constructor({ endpoint, region, account }) {
    this.endpoint = endpoint.replace(/\/$/, '');
    this.region = region;
    this.account = account;
  }

  /** `aws-sdk:s3:getObject` as Step Functions returns it: Body as text, ContentLength. */
  async getObject({ Bucket, Key, Range }) {
    const url = `${this.endpoint}/${encodeURIComponent(Bucket)}/${Key.split('/').map(encodeURIComponent).join('/')}`;
    let res;
    try {
      // A client timeout, as the SDK has: an unreachable endpoint is an error the definition retries.
      res = await fetch(url, { signal: AbortSignal.timeout(10_000), headers: { authorization: authorization(this.region, 's3', this.account), ...(Range ? { range: Range } : {}) } });
    } catch (e) {
      throw new StatesError('S3.SdkClientException', `Unable to execute HTTP request: ${e.message}`);
    }
    const body = await res.text();
    if (res.status === 404) throw new StatesError('S3.NoSuchKeyException', 'The specified key does not exist.');
    if (!res.ok) throw new StatesError('S3.S3Exception', `HTTP ${res.status}: ${body.slice(0, 300)}`);
    return { Body: body, ContentLength: Number(res.headers.get('content-length') ?? body.length), ContentType: res.headers.get('content-type') ?? undefined };
  }

  /** PutObject (set-up of tests and figures; the state machine never writes). */
  async putObject(bucket, key, body) {
    const url = `${this.endpoint}/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
    const res = await fetch(url, { method: 'PUT', body, headers: { authorization: authorization(this.region, 's3', this.account) } });
    if (!res.ok) throw new Error(`PutObject ${bucket}/${key}: HTTP ${res.status} ${await res.text()}`);
  }

  /** `events:putEvents`: the Detail is sent as JSON text, as Step Functions does. */
  async putEvents({ Entries }) {
    const entries = Entries.map((e) => ({ ...e, Detail: typeof e.Detail === 'string' ? e.Detail : JSON.stringify(e.Detail) }));
    let res;
    try {
      res = await fetch(this.endpoint + '/', {
        method: 'POST',
        signal: AbortSignal.timeout(10_000),
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AWSEvents.PutEvents',
          authorization: authorization(this.region, 'events', this.account),
        },
        body: JSON.stringify({ Entries: entries }),
      });
    } catch (e) {
      throw new StatesError('EventBridge.AmazonEventBridgeException', `Unable to execute HTTP request: ${e.message}`);
    }
    const text = await res.text();
    if (!res.ok) throw new StatesError('EventBridge.AmazonEventBridgeException', `HTTP ${res.status}: ${text.slice(0, 300)}`);
    const out = JSON.parse(text);
    if (out.FailedEntryCount) throw new StatesError('EventBridge.FailedEntry', JSON.stringify(out.Entries));
    return out;
  }
}

module.exports = { MotoHttp };
