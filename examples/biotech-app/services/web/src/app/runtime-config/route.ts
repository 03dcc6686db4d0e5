import { NextResponse } from 'next/server';
import { readRuntimeConfig } from '@/lib/runtime-config';

// Read the environment on every request so one image works in every stage.
export const dynamic = 'force-dynamic';

export function GET() {
  return NextResponse.json(readRuntimeConfig(), { headers: { 'Cache-Control': 'no-store' } });
}
