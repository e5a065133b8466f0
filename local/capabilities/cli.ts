import { readFileSync } from 'node:fs';
import { createRbmAuth } from '../../shared/rbm/auth.ts';
import {
  type BatchCheckResult,
  checkCapabilities,
  memoRegionalClients,
} from '../../shared/rbm/capabilities.ts';
import { createRbmClient } from '../../shared/rbm/client.ts';
import {
  defaultRegionalTemplate,
  parseRegionOverrides,
  rbmRegions,
  regionalBaseUrl,
  regionTable,
} from '../../shared/rbm/regions.ts';
import { exitWithError, parseCommandLine, usageError } from '../common/cli.ts';
import { e164Pattern } from '../common/e164.ts';

/**
 * `npm run capabilities -- +447700900123 +14155550123 ...`: which numbers are
 * reachable over RBM, asked of the local sandbox or a real deployment's agent.
 * The list is split by region (shared/rbm/regions.ts) and each region's numbers
 * go to that region's host only: users.batchGet for 500 or more (at most 10,000
 * per request), single phones.getCapabilities below that (docs/rbm-platform.md#capability-checks).
 * Exit status: 0 every number answered, 1 some check failed, 2 bad usage.
 */
const program = 'npm run capabilities';
const usage = `Usage: npm run capabilities -- [options] +E164 [+E164 ...]
  --file F               also read numbers from F, one per line ("#" starts a comment)
  --base-url URL         the RBM API (default $RBM_API_BASE_URL, else https://rcsbusinessmessaging.googleapis.com)
  --regional-template T  regional hosts, {region} for us/europe/asia (default $RBM_REGIONAL_BASE_URL_TEMPLATE,
                         else derived from the base URL: https://{region}-..., or <url>/r/{region} for the sandbox)
  --agent-id ID          the agent asking (default $RBM_AGENT_ID; required)
  --regions P=R[,P=R]    calling-code overrides of the region table, e.g. 7=asia (default $RBM_REGION_BY_CALLING_CODE)
  --token T              a fixed bearer token, for the local sandbox only (default $RBM_ACCESS_TOKEN)
  --key-file F           the RBM service account's JSON key (default: $RBM_SERVICE_ACCOUNT_KEY, the key itself)
  --timeout-ms N         bound on each call (default 10000)
  --json                 print the result as JSON: {numbers:[{phoneNumber, region, outcome}], calls:[...]}
  --help`;

const { values, positionals } = parseCommandLine(program, usage, {
  allowPositionals: true,
  options: {
    file: { type: 'string' },
    'base-url': { type: 'string' },
    'regional-template': { type: 'string' },
    'agent-id': { type: 'string' },
    regions: { type: 'string' },
    token: { type: 'string' },
    'key-file': { type: 'string' },
    'timeout-ms': { type: 'string', default: '10000' },
    json: { type: 'boolean', default: false },
  },
});

const env = process.env;
const numbers = [...positionals];
if (values.file) {
  let text: string;
  try {
    text = readFileSync(values.file, 'utf8');
  } catch (error) {
    usageError(program, `cannot read --file ${values.file}: ${(error as Error).message}`);
  }
  for (const line of text.split('\n')) {
    const number = line.replace(/#.*/, '').trim();
    if (number) numbers.push(number);
  }
}
if (numbers.length === 0) usageError(program, 'give at least one number (E.164, e.g. +447700900123)');
const bad = numbers.find((n) => !e164Pattern.test(n));
if (bad !== undefined) usageError(program, `not an E.164 number: ${JSON.stringify(bad)}`);
const agentId = values['agent-id'] ?? env.RBM_AGENT_ID;
if (!agentId) usageError(program, 'give --agent-id (or set RBM_AGENT_ID)');
const timeoutMs = Number(values['timeout-ms']);
if (!(Number.isInteger(timeoutMs) && timeoutMs > 0))
  usageError(program, '--timeout-ms must be a whole number > 0');
const overrides = parseRegionOverrides(values.regions ?? env.RBM_REGION_BY_CALLING_CODE ?? '');
if (typeof overrides === 'string') usageError(program, `--regions: ${overrides}`);
const baseUrl = values['base-url'] ?? env.RBM_API_BASE_URL ?? 'https://rcsbusinessmessaging.googleapis.com';
let template: string;
try {
  template =
    values['regional-template'] ?? env.RBM_REGIONAL_BASE_URL_TEMPLATE ?? defaultRegionalTemplate(baseUrl);
  if (!template.includes('{region}')) throw new Error('the regional template must contain {region}');
  new URL(regionalBaseUrl(template, 'us'));
} catch (error) {
  usageError(program, (error as Error).message);
}

let result: BatchCheckResult;
try {
  const keyFile = values['key-file'];
  const auth = createRbmAuth({
    baseUrl: regionalBaseUrl(template, 'us'),
    serviceAccountKey: keyFile ? readFileSync(keyFile, 'utf8') : env.RBM_SERVICE_ACCOUNT_KEY,
    accessToken: values.token ?? env.RBM_ACCESS_TOKEN,
  });
  const clients = memoRegionalClients((region) =>
    createRbmClient({ baseUrl: regionalBaseUrl(template, region), agentId, timeoutMs, auth }),
  );
  result = await checkCapabilities(numbers, { clients, table: regionTable(overrides), agentId });
} catch (error) {
  exitWithError(program, error);
}

if (values.json) {
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} else {
  for (const region of rbmRegions) {
    const mine = result.numbers.filter((n) => n.region === region);
    if (mine.length === 0) continue;
    const count = (outcome: string) => mine.filter((n) => n.outcome === outcome).length;
    process.stdout.write(
      `${region}: ${mine.length} numbers, ${count('reachable')} reachable, ${count('unreachable')} not reachable, ${count('failed')} not answered\n`,
    );
    for (const n of mine) process.stdout.write(`  ${n.phoneNumber}  ${n.outcome}\n`);
  }
  for (const call of result.calls.filter((c) => c.error !== undefined)) {
    process.stdout.write(
      `failed: ${call.method} on the ${call.region} host for ${call.numbers} number(s): ${call.httpStatus || 'no answer'} ${call.error}\n`,
    );
  }
}
process.exitCode = result.numbers.some((n) => n.outcome === 'failed') ? 1 : 0;
