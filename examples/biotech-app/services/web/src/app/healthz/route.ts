export const dynamic = 'force-dynamic';

/** Liveness probe for the load balancer target group and the container. */
export function GET() {
  return Response.json({ status: 'ok' }, { headers: { 'Cache-Control': 'no-store' } });
}
