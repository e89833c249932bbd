// A client of `poverty-core serve` in JavaScript, with the standard fetch API (browsers,
// Node 18 and later). Run it against a running service:
//
//   node client.mjs http://127.0.0.1:8000
//
// The household below is SYNTHETIC (invented for the example).

const base = globalThis.process?.argv[2] ?? "http://127.0.0.1:8000";
const apiKey = globalThis.process?.env.POVERTY_CORE_API_KEY; // only if the service asks

async function call(path, options = {}) {
  const headers = { Accept: "application/json", ...options.headers };
  if (apiKey) headers["X-API-Key"] = apiKey;
  const response = await fetch(base + path, { ...options, headers });
  const body = await response.json();
  if (!response.ok) {
    // RFC 9457 problem details: `detail` in the language asked (?lang=zh|en),
    // `problems` lists every bad field with its path.
    const error = new Error(`${body.status} ${body.title}: ${body.detail}`);
    error.problem = body;
    throw error;
  }
  return body;
}

export function decide(pack, decision, record, asOf, lang = "en") {
  const query = new URLSearchParams({ as_of: asOf, lang });
  return call(`/packs/${pack}/decisions/${decision}?${query}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(record),
  });
}

const household = {
  id: "h1",
  annual_net_income_per_capita: 3100,
  food_secure: true,
  clothing_secure: true,
  house_grade: "B",
  members: [
    { id: "p1", age: 40, basic_medical_insurance: true,
      serious_illness_insurance: true, medical_assistance: true },
  ],
};

const { packs } = await call("/packs");
console.log("packs: " + packs.map((p) => p.name).join(", "));

const result = await decide("fujian", "household_exit", household, "2016-12-31");
console.log(`${result.id}: ${result.outcome}`);
for (const finding of result.findings) console.log(`  ${finding.rule}: ${finding.status}`);

try {
  const wrong = { ...household, members: [{ id: "p1", age: -3 }] };
  await decide("fujian", "household_exit", wrong, "2016-12-31");
} catch (error) {
  console.log(`error ${error.problem.status}`);
  for (const p of error.problem.problems) console.log(`  ${p.path}: ${p.en}`);
}
