/** One call to pebble-challtestsrv's management API (both solvers speak it); a refusal says which call. */
export async function challtestsrvPost(
  managementUrl: string,
  path: string,
  body: Record<string, string>,
): Promise<void> {
  const res = await fetch(new URL(path, managementUrl), {
    method: 'POST',
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`challtestsrv ${path}: HTTP ${res.status}: ${(await res.text()).trim()}`);
}
