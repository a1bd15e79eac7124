import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DataFormatError, formatSrlConll, generateSrlCorpus, parseSrlConll, readSrlConll, srlSpans } from '../../src/text/index.js';
import { extractEntities } from '../../src/train/index.js';

test('parseSrlConll reads CoNLL-2005 bracketed props: one instance per predicate column, brackets → BIO', () => {
  const props = [
    'The\t-\t(A0*\t*',
    'cat\t-\t*)\t*',
    'saw\tsee.01\t(V*)\t*',
    'John\t-\t(A1*)\t(A0*)',
    'leave\tleave.01\t*\t(V*)',
    'yesterday\t-\t(AM-TMP*)\t*',
  ].join('\n');
  const { instances } = parseSrlConll(props);
  assert.equal(instances.length, 2);
  assert.deepEqual(instances[0], {
    tokens: ['The', 'cat', 'saw', 'John', 'leave', 'yesterday'], predicate: 2, sense: 'see.01',
    tags: ['B-A0', 'I-A0', 'B-V', 'B-A1', 'O', 'B-AM-TMP'],
  });
  assert.deepEqual(instances[1]!.tags, ['O', 'O', 'O', 'B-A0', 'B-V', 'O']);
  assert.equal(instances[1]!.predicate, 4);
});

test('parseSrlConll reads tsorch\'s BIO columns and head-word labels (CoNLL-U Plus style), marking the predicate V', () => {
  const bio = parseSrlConll('Mary\t-\tB-ARG0\nsang\t1\tB-V\nsongs\t-\tB-ARG1\n');
  assert.deepEqual(bio.instances[0]!.tags, ['B-ARG0', 'B-V', 'B-ARG1']);
  const conllu = [
    '# sent_id = 1',
    '1\tMary\tMary\tPROPN\t_\t_\t2\tnsubj\t_\t_\t_\tARG0',
    '2\tsang\tsing\tVERB\t_\t_\t0\troot\t_\t_\tsing.01\t_',
    '3\tsongs\tsong\tNOUN\t_\t_\t2\tobj\t_\t_\t_\tARG1',
  ].join('\n');
  const u = parseSrlConll(conllu, { tokenColumn: 1, predicateColumn: 10, commentPrefix: '#' });
  assert.deepEqual(u.instances[0], { tokens: ['Mary', 'sang', 'songs'], predicate: 1, sense: 'sing.01', tags: ['B-ARG0', 'B-V', 'B-ARG1'] });
});

test('parseSrlConll: predicates and role columns that disagree, or unbalanced brackets, name file and line; skip counts them', () => {
  const twoPreds = 'a\tx.01\t(V*)\nb\ty.01\t*\nc\t-\t*\n\nd\tz.01\t(V*)\n';
  assert.throws(() => parseSrlConll(twoPreds, {}, 'p.conll'), (e: Error) => {
    assert.ok(e instanceof DataFormatError);
    assert.equal(e.message, 'readSrlConll: p.conll:1: 2 predicate(s) marked in column 1 but 1 role column(s) after it (one per predicate expected)');
    return true;
  });
  assert.throws(() => parseSrlConll('a\t-\t(A0*\nb\tb.01\t(V*)\n', {}, 'q.conll'), /q\.conll:2: role column 2: role V opens inside A0/);
  const skipped = parseSrlConll(twoPreds, { onError: 'skip' }, 'p.conll');
  assert.equal(skipped.skipped, 1);
  assert.equal(skipped.instances.length, 1);
  assert.match(skipped.problems[0]!, /sentence starting on line 1 skipped/);
});

test('formatSrlConll writes what readSrlConll reads back', async () => {
  const { instances } = generateSrlCorpus({ sentences: 30, seed: 5 });
  const dir = mkdtempSync(join(tmpdir(), 'srl-'));
  const path = join(dir, 'train.conll');
  writeFileSync(path, formatSrlConll(instances));
  const back = await readSrlConll(path);
  assert.deepEqual(back.instances, instances);
});

test('the synthetic SRL corpus: seeded, one well-formed instance per predicate, the variation it promises', () => {
  const a = generateSrlCorpus({ sentences: 400, seed: 1 });
  assert.deepEqual(generateSrlCorpus({ sentences: 400, seed: 1 }), a);
  assert.notDeepEqual(generateSrlCorpus({ sentences: 400, seed: 2 }).sentences, a.sentences);
  const roles = new Set<string>();
  let passives = 0;
  let multi = 0;
  let relative = 0;
  for (const s of a.instances) {
    assert.equal(s.tags.length, s.tokens.length);
    assert.equal(s.tags[s.predicate], 'B-V');
    assert.equal(s.tags.filter((t) => t.endsWith('-V')).length, 1);
    for (let i = 0; i < s.tags.length; i++) {
      const t = s.tags[i]!;
      if (t.startsWith('I-')) assert.ok(s.tags[i - 1]!.slice(2) === t.slice(2), `I- tag continues a span: ${s.tags.join(' ')}`);
    }
    for (const e of extractEntities(s.tags)) roles.add(e.type);
    if (/^(was|were|is|are|been|be|being)$/.test(s.tokens[s.predicate - 1] ?? '') && s.tags.some((t) => t === 'B-ARG1') && s.tags.indexOf('B-ARG1') < s.predicate) passives++;
    if (s.tags.includes('B-R-ARG0')) relative++;
  }
  const perSentence = new Map<string, number>();
  for (const s of a.instances) perSentence.set(s.tokens.join(' '), (perSentence.get(s.tokens.join(' ')) ?? 0) + 1);
  multi = [...perSentence.values()].filter((n) => n > 1).length;
  for (const r of ['ARG0', 'ARG1', 'ARG2', 'ARG3', 'ARGM-LOC', 'ARGM-TMP', 'ARGM-MNR', 'ARGM-MOD', 'ARGM-NEG', 'ARGM-DIS', 'V']) assert.ok(roles.has(r), `role ${r} occurs`);
  assert.ok(passives > 10, `passives: ${passives}`);
  assert.ok(multi > 40, `sentences with several predicates: ${multi}`);
  assert.ok(relative > 5, `relative clauses: ${relative}`);
  assert.ok(a.instances.length > 400);
});

test('srlSpans lists the arguments of a predicate without its V span, with character offsets', () => {
  const args = srlSpans(['Mary', 'sang', 'two', 'songs'], ['B-ARG0', 'B-V', 'B-ARG1', 'I-ARG1'], [[0, 4], [5, 9], [10, 13], [14, 19]], 'Mary sang two songs');
  assert.deepEqual(args, [
    { type: 'ARG0', text: 'Mary', tokenStart: 0, tokenEnd: 1, start: 0, end: 4 },
    { type: 'ARG1', text: 'two songs', tokenStart: 2, tokenEnd: 4, start: 10, end: 19 },
  ]);
});
