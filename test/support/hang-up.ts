import type { Test } from 'supertest';

/** Sends `req` and hangs up after `ms`, like a client that gives up; resolves once it has. */
export async function hangUpAfter(req: Test, ms: number): Promise<void> {
  const settled = req.then(
    () => undefined,
    () => undefined,
  );
  await new Promise((r) => setTimeout(r, ms));
  req.abort();
  await settled;
}
