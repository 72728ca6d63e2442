type Json = Record<string, unknown>;

/** A caller of the hub's API at `baseUrl` that throws on any answer but a 2xx, for scripts that seed data. */
export function jsonClient(baseUrl: string) {
  return async (method: string, path: string, token?: string, body?: unknown): Promise<Json> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as Json;
  };
}
