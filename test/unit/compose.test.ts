import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { applyEdits, EditComposer, type LabelledEdit } from '../../src/core/edits';

/** Rounds of random, non-overlapping edits of a text; each round in the text the round before left. */
const rounds = fc
  .record({
    text: fc.string({ unit: fc.constantFrom('a', 'b', '\n', ' '), maxLength: 30 }),
    rounds: fc.array(fc.array(fc.record({ a: fc.nat(), b: fc.nat(), len: fc.nat({ max: 3 }), text: fc.string({ unit: fc.constantFrom('X', 'Y', 'Z', '\n'), maxLength: 4 }) }), { maxLength: 4 }), { minLength: 1, maxLength: 4 }),
  });

/** Turns random numbers into valid edits of `text`: sorted, non-overlapping (inserts may share an offset). */
function editsOf(text: string, raw: Array<{ a: number; b: number; len: number; text: string }>, round: number): LabelledEdit[] {
  const out: LabelledEdit[] = [];
  let min = 0;
  const starts = raw.map((r) => r.a % (text.length + 1)).sort((x, y) => x - y);
  raw.forEach((r, i) => {
    const start = Math.max(starts[i], min);
    if (start > text.length) return;
    const end = Math.min(text.length, start + r.len);
    out.push({ start, end, text: r.text, label: `round ${round} edit ${i}` });
    min = end;
  });
  return out;
}

function subsets<T>(items: T[]): T[][] {
  return items.length > 6 ? [items, [], ...items.map((x) => items.filter((y) => y !== x))] : items.reduce<T[][]>((acc, x) => acc.concat(acc.map((s) => [...s, x])), [[]]);
}

describe('EditComposer', () => {
  test('an edit inside inserted text joins the insert; inserts at one spot stay separate, in order', () => {
    const c = new EditComposer('a: 1\n');
    c.apply([{ start: 5, end: 5, text: '---\nkind: A\n', label: 'A' }]);
    c.apply([{ start: 17, end: 17, text: '---\nkind: B\n', label: 'B' }, { start: 3, end: 4, text: '2', label: 'two' }]);
    c.apply([{ start: 15, end: 16, text: 'Z', label: 'later' }]);
    assert.equal(c.text, 'a: 2\n---\nkind: Z\n---\nkind: B\n');
    assert.deepEqual(c.edits(), [
      { start: 3, end: 4, text: '2', label: 'two' },
      { start: 5, end: 5, text: '---\nkind: Z\n', label: 'A' },
      { start: 5, end: 5, text: '---\nkind: B\n', label: 'B' },
    ]);
  });

  test('an edit that spans two earlier ones merges them under the first label; undoing an edit leaves none', () => {
    const c = new EditComposer('0123456789');
    c.apply([{ start: 2, end: 3, text: 'x', label: 'first' }, { start: 6, end: 7, text: 'y', label: 'second' }]);
    c.apply([{ start: 2, end: 7, text: 'M', label: 'third' }]);
    assert.deepEqual(c.edits(), [{ start: 2, end: 7, text: 'M', label: 'first' }]);
    const d = new EditComposer('abc');
    d.apply([{ start: 1, end: 2, text: 'X', label: 'there' }]);
    d.apply([{ start: 1, end: 2, text: 'b', label: 'back' }]);
    assert.deepEqual(d.edits(), []);
  });

  test('composed edits give the text the rounds gave, and any subset of labels applies without overlap', () => {
    fc.assert(
      fc.property(rounds, ({ text, rounds: raw }) => {
        const c = new EditComposer(text);
        let current = text;
        raw.forEach((r, i) => {
          const edits = editsOf(current, r, i);
          current = applyEdits(current, edits);
          c.apply(edits);
        });
        assert.equal(c.text, current);
        const edits = c.edits();
        assert.equal(applyEdits(text, edits), current);
        for (let i = 1; i < edits.length; i++) assert.ok(edits[i].start >= edits[i - 1].end, 'in order, without overlap');
        const labels = [...new Set(edits.map((e) => e.label))];
        for (const keep of subsets(labels)) applyEdits(text, edits.filter((e) => keep.includes(e.label)));
      }),
      { numRuns: 2000 },
    );
  });
});
