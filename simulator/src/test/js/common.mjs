// Shared by the client scripts: the router URL from argv, the model, a tool schema, and the
// printing of results (one JSON object on stdout; any failure exits non-zero).
export const routerUrl = process.argv[2];
export const model = process.argv[3] ?? 'qwen3-8b';

if (!routerUrl) {
  console.error('usage: node <script> ROUTER_URL [MODEL]');
  process.exit(2);
}

export const weatherParameters = {
  type: 'object',
  properties: {
    city: { type: 'string' },
    unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
    days: { type: 'integer', minimum: 1, maximum: 7 },
  },
  required: ['city', 'unit', 'days'],
  additionalProperties: false,
};

export async function run(calls) {
  const results = {};
  try {
    for (const [name, call] of Object.entries(calls)) {
      results[name] = await call();
    }
  } catch (e) {
    console.error(e?.stack ?? String(e));
    console.log(JSON.stringify({ error: String(e?.message ?? e), results }));
    process.exit(1);
  }
  console.log(JSON.stringify(results));
}
