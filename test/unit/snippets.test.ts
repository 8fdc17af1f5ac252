import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseAllDocuments, type Document } from 'yaml';
import { Project } from '../../src/core/engine';
import { GUID } from '../../src/core/k8s';

const ROOT = join(__dirname, '..', '..', '..');

interface Snippet {
  scope?: string;
  prefix: string | string[];
  description: string;
  body: string | string[];
}

/** Values for the variables a snippet may use, as VS Code would fill them in a file `orders.yaml`. */
const VARIABLES: Record<string, string> = {
  TM_FILENAME: 'orders.yaml',
  TM_FILENAME_BASE: 'orders',
  TM_DIRECTORY: '/workspace/manifests',
  TM_FILEPATH: '/workspace/manifests/orders.yaml',
  RELATIVE_FILEPATH: 'manifests/orders.yaml',
  WORKSPACE_NAME: 'workspace',
  TM_SELECTED_TEXT: '',
  TM_CURRENT_LINE: '',
  TM_CURRENT_WORD: '',
  TM_LINE_INDEX: '0',
  TM_LINE_NUMBER: '1',
  CLIPBOARD: '',
  UUID: '11111111-2222-3333-4444-555555555555',
};

/**
 * The text VS Code inserts when every tab stop keeps its default: a placeholder becomes its
 * (expanded) default, a choice its first option, a bare tab stop the default of the placeholder
 * with the same number elsewhere (VS Code mirrors them) or nothing, a variable its value.
 */
function expandWithDefaults(body: string): string {
  const defaults = new Map<string, string>();
  const expand = (text: string, collect: boolean): string => {
    let out = '';
    let i = 0;
    while (i < text.length) {
      const c = text[i];
      if (c === '\\' && i + 1 < text.length && '$}\\'.includes(text[i + 1])) {
        out += text[i + 1];
        i += 2;
      } else if (c === '$') {
        const [value, next] = dollar(text, i + 1, collect);
        out += value;
        i = next;
      } else {
        out += c;
        i++;
      }
    }
    return out;
  };
  // `text[at]` follows a `$`: returns the expansion and the index after the construct.
  const dollar = (text: string, at: number, collect: boolean): [string, number] => {
    const bare = /^(\d+|[A-Z_][A-Z0-9_]*)/.exec(text.slice(at));
    if (bare) return [valueOf(bare[1], undefined), at + bare[1].length];
    if (text[at] !== '{') return ['$', at];
    const end = closingBrace(text, at + 1);
    const inner = text.slice(at + 1, end);
    const m = /^(\d+|[A-Z_][A-Z0-9_]*)(?::([\s\S]*)|\|([\s\S]*)\||(\/[\s\S]*))?$/.exec(inner);
    if (!m) throw new Error(`unsupported snippet syntax \${${inner}}`);
    const [, name, placeholder, choices, transform] = m;
    if (transform !== undefined) throw new Error(`snippet transforms are not supported here: \${${inner}}`);
    if (choices !== undefined) return [setDefault(name, choices.split(',')[0], collect), end + 1];
    if (placeholder !== undefined) return [setDefault(name, expand(placeholder, collect), collect), end + 1];
    return [valueOf(name, undefined), end + 1];
  };
  const setDefault = (name: string, value: string, collect: boolean): string => {
    if (collect && /^\d+$/.test(name) && !defaults.has(name)) defaults.set(name, value);
    return /^\d+$/.test(name) ? value : valueOf(name, value);
  };
  const valueOf = (name: string, fallback: string | undefined): string =>
    /^\d+$/.test(name) ? (defaults.get(name) ?? '') : (VARIABLES[name] ?? fallback ?? '');
  const closingBrace = (text: string, from: number): number => {
    let depth = 1;
    for (let i = from; i < text.length; i++) {
      if (text[i] === '\\') i++;
      else if (text[i] === '{' && text[i - 1] === '$') depth++;
      else if (text[i] === '}' && --depth === 0) return i;
    }
    throw new Error(`unclosed \${ in ${text}`);
  };
  expand(body, true); // first pass: the default of every numbered placeholder, for its mirrors
  return expand(body, false);
}

const SNIPPETS_FILE = join(ROOT, 'snippets', 'wi-migrate.code-snippets');
const snippets = Object.entries(JSON.parse(readFileSync(SNIPPETS_FILE, 'utf8')) as Record<string, Snippet>);
const bodyOf = (s: Snippet) => (Array.isArray(s.body) ? s.body.join('\n') : s.body);

/** Keys whose values must be GUIDs once the snippet is expanded. */
const ID_KEYS = /^(?:azure\.workload\.identity\/(?:client|tenant)-id|clientID|tenantId|identityId|identityTenantId)$/;

function scalarsByKey(doc: Document): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (v === null || typeof v !== 'object') out.push([k, v]);
        walk(v);
      }
    }
  };
  walk(doc.toJS());
  return out;
}

describe('snippet expansion (test helper)', () => {
  test('placeholders, mirrors, choices, nested placeholders, variables and escapes', () => {
    assert.equal(expandWithDefaults('a: ${1:x}\nb: $1\nc: ${1}'), 'a: x\nb: x\nc: x');
    assert.equal(expandWithDefaults('k: ${2|one,two|} ${3}$0'), 'k: one ');
    assert.equal(expandWithDefaults('${1:outer ${2:inner}} $2'), 'outer inner inner');
    assert.equal(expandWithDefaults('n: ${TM_FILENAME_BASE} ${NOT_A_VARIABLE:fallback} $UUID'), 'n: orders fallback 11111111-2222-3333-4444-555555555555');
    assert.equal(expandWithDefaults('cost: \\$5 \\} \\\\'), 'cost: $5 } \\');
    assert.throws(() => expandWithDefaults('${TM_FILENAME/(.*)/${1:/upcase}/}'), /transforms/);
  });
});

describe('snippets', () => {
  test('package.json contributes the snippet file; every snippet is for YAML and Helm files', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { contributes?: { snippets?: Array<{ path: string; language?: string }> } };
    const entries = manifest.contributes?.snippets ?? [];
    const entry = entries.find((e) => join(ROOT, e.path) === SNIPPETS_FILE);
    assert.ok(entry, 'contributes.snippets names snippets/wi-migrate.code-snippets');
    // Without a language, VS Code takes each snippet's own scope, so `helm` can be named even where no
    // extension registers that language (a contribution with language "helm" would be an error there).
    assert.equal(entry.language, undefined);
    for (const e of entries) assert.ok(existsSync(join(ROOT, e.path)), `${e.path} exists`);
    assert.ok(snippets.length >= 5);
    for (const [name, s] of snippets) {
      assert.deepEqual(s.scope?.split(',').map((x) => x.trim()).sort(), ['helm', 'yaml'], `${name} scope`);
      const prefixes = Array.isArray(s.prefix) ? s.prefix : [s.prefix];
      assert.ok(prefixes.length > 0 && prefixes.every((p) => /^[a-z][a-z0-9-]*$/.test(p)), `${name} prefixes`);
      assert.ok(s.description.length > 20, `${name} description`);
    }
    const prefixes = snippets.flatMap(([, s]) => (Array.isArray(s.prefix) ? s.prefix : [s.prefix]));
    assert.equal(new Set(prefixes).size, prefixes.length, 'prefixes are unique');
  });

  for (const [name, snippet] of snippets) {
    describe(name, () => {
      const text = expandWithDefaults(bodyOf(snippet));

      test('expanded with its defaults, it is YAML without errors or warnings', () => {
        for (const doc of parseAllDocuments(text)) {
          assert.deepEqual(doc.errors.map((e) => e.message), []);
          assert.deepEqual(doc.warnings.map((e) => e.message), []);
        }
      });

      test('expanded with its defaults, the extension finds nothing to report', () => {
        const project = new Project();
        project.set('s.yaml', text);
        assert.deepEqual(project.check('s.yaml'), []);
      });

      test('its client and tenant ids default to GUIDs', () => {
        for (const doc of parseAllDocuments(text)) {
          for (const [key, value] of scalarsByKey(doc)) {
            if (ID_KEYS.test(key)) assert.match(String(value), GUID, `${key}: ${String(value)}`);
          }
        }
      });
    });
  }

  const docsOf = (snippetName: string) => {
    const s = snippets.find(([n]) => n === snippetName);
    assert.ok(s, snippetName);
    return parseAllDocuments(expandWithDefaults(bodyOf(s[1]))) as Document[];
  };

  test('the Deployment labels its pod template, not its selector, and names the ServiceAccount it comes with', () => {
    const [deployment, serviceAccount] = docsOf('Workload identity: Deployment and its ServiceAccount');
    assert.equal(deployment.getIn(['spec', 'template', 'metadata', 'labels', 'azure.workload.identity/use']), 'true');
    assert.equal(deployment.getIn(['spec', 'selector', 'matchLabels', 'azure.workload.identity/use']), undefined);
    assert.equal(serviceAccount.get('kind'), 'ServiceAccount');
    assert.equal(deployment.getIn(['spec', 'template', 'spec', 'serviceAccountName']), serviceAccount.getIn(['metadata', 'name']));
    assert.equal(deployment.getIn(['metadata', 'namespace']), serviceAccount.getIn(['metadata', 'namespace']));
  });

  test('the ServiceAccount carries the client id and, unless deleted, the tenant id', () => {
    const [sa] = docsOf('Workload identity: ServiceAccount');
    const annotations = sa.getIn(['metadata', 'annotations']) as { toJSON(): Record<string, unknown> };
    assert.deepEqual(Object.keys(annotations.toJSON()).sort(), ['azure.workload.identity/client-id', 'azure.workload.identity/tenant-id']);
  });

  test('the use label snippet is the quoted string "true"', () => {
    const [doc] = docsOf('Workload identity: use label');
    assert.deepEqual(doc.toJS(), { 'azure.workload.identity/use': 'true' });
  });

  test('the TriggerAuthentication uses the azure-workload provider', () => {
    const [doc] = docsOf('Workload identity: KEDA TriggerAuthentication');
    assert.equal(doc.get('kind'), 'TriggerAuthentication');
    assert.equal(doc.getIn(['spec', 'podIdentity', 'provider']), 'azure-workload');
  });

  test('the SecretProviderClass turns pod identity off and names the client id', () => {
    const [doc] = docsOf('Workload identity: SecretProviderClass for Key Vault');
    assert.equal(doc.getIn(['spec', 'parameters', 'usePodIdentity']), 'false');
    assert.match(String(doc.getIn(['spec', 'parameters', 'clientID'])), GUID);
  });
});
