import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import {
  DataFormatError, formatConll, LabelEncoder, parseConll, parseTextClassification, readConll, readTextClassification,
} from '../../src/text/index.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tsorch-read-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('CSV: quoted fields with commas, quotes and newlines, a BOM and CRLF endings are read', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'reviews.csv');
    await writeFile(path, '\uFEFFid,text,label\r\n1,"Great, really ""great""",pos\r\n2,"two\r\nlines",neg\r\n\r\n3,plain,pos\r\n');
    const d = await readTextClassification(path, { extraColumns: ['id'] });
    assert.deepEqual(d.texts, ['Great, really "great"', 'two\r\nlines', 'plain']);
    assert.deepEqual(d.labels, ['pos', 'neg', 'pos']);
    assert.deepEqual(d.extras, { id: ['1', '2', '3'] });
    assert.equal(d.skipped, 0);
  });
});

test('TSV and gzipped files are recognised by extension; columns may be given by index without a header', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'data.tsv.gz');
    await writeFile(path, gzipSync('spam\tWin money now\nham\tSee you at 5\n'));
    const d = await readTextClassification(path, { header: false, textColumn: 1, labelColumn: 0 });
    assert.deepEqual(d.texts, ['Win money now', 'See you at 5']);
    assert.deepEqual(d.labels, ['spam', 'ham']);
  });
});

test('a CSV row with the wrong number of fields is an error naming the file and its line', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'bad.csv');
    await writeFile(path, 'text,label\n"multi\nline",a\nok,b\ntoo,many,fields\n');
    await assert.rejects(readTextClassification(path), (e: Error) => {
      assert.ok(e instanceof DataFormatError);
      assert.equal(e.line, 5);
      assert.match(e.message, /^readTextClassification: .*bad\.csv:5: expected 2 fields like the header, found 3$/);
      return true;
    });
  });
});

test("with onError 'skip' malformed rows are skipped and counted, with their reasons", () => {
  const d = parseTextClassification('text,label\nfine,a\ntoo,many,fields\nempty label,\nalso fine,b\n', { format: 'csv', onError: 'skip' }, 'mem.csv');
  assert.deepEqual(d.texts, ['fine', 'also fine']);
  assert.equal(d.skipped, 2);
  assert.deepEqual(d.problems, [
    'readTextClassification: mem.csv:3: expected 2 fields like the header, found 3',
    'readTextClassification: mem.csv:4: the label is empty',
  ]);
});

test('an unclosed quote is reported at its line, and a missing column names the columns there are', () => {
  assert.throws(() => parseTextClassification('text,label\n"open,a\nb,c\n', { format: 'csv' }, 'q.csv'), /q\.csv:\d+: Quote Not Closed/);
  assert.throws(() => parseTextClassification('body,label\nx,a\n', { format: 'csv' }, 'c.csv'), /no text column 'text' \(columns: body, label\)/);
});

test('JSONL: one object per line; numbers become label strings; bad lines name their line', () => {
  const content = '{"text": "good", "label": 1}\n\n{"text": "bad", "label": 0}\n';
  const d = parseTextClassification(content, { format: 'jsonl' });
  assert.deepEqual(d.texts, ['good', 'bad']);
  assert.deepEqual(d.labels, ['1', '0']);
  const broken = '{"text": "a", "label": "x"}\n{"text": "b", label: "y"}\n{"label": "z"}\n';
  assert.throws(() => parseTextClassification(broken, { format: 'jsonl' }, 'in.jsonl'), /in\.jsonl:2: invalid JSON/);
  const skipped = parseTextClassification(broken, { format: 'jsonl', onError: 'skip' }, 'in.jsonl');
  assert.equal(skipped.skipped, 2);
  assert.match(skipped.problems[1]!, /in\.jsonl:3: field 'text' is missing or not a string/);
});

test('an unknown extension asks for a format', async () => {
  await assert.rejects(readTextClassification('data.txt'), /pass format 'csv', 'tsv' or 'jsonl'/);
});

const conll = [
  '-DOCSTART-\tO', '',
  'New\tB-LOC', 'York\tI-LOC', 'is\tO', 'big\tO', '',
  '', '#\tO', 'rocks\tO', '',
  'Anna\tB-PER', 'sings\tVBZ\tO',
].join('\n');

test('CoNLL: sentences split on blank lines, -DOCSTART- skipped, token first and tag last', () => {
  const d = parseConll(conll.split('\n').slice(0, 11).join('\n'));
  assert.deepEqual(d.sentences.map((s) => s.tokens), [['New', 'York', 'is', 'big'], ['#', 'rocks']]);
  assert.deepEqual(d.sentences.map((s) => s.tags), [['B-LOC', 'I-LOC', 'O', 'O'], ['O', 'O']]);
  assert.deepEqual(d.sentences.map((s) => s.line), [3, 9]);
  const three = parseConll('Anna NNP B-PER\nsings VBZ O\n', { tagColumn: 2 });
  assert.deepEqual(three.sentences[0]!.fields, [['Anna', 'NNP', 'B-PER'], ['sings', 'VBZ', 'O']]);
  assert.deepEqual(three.sentences[0]!.tags, ['B-PER', 'O']);
});

test('a CoNLL row with a different number of columns is an error naming file and line, or a counted skip', async () => {
  assert.throws(() => parseConll(conll, {}, 'ner.conll'), (e: Error) => {
    assert.ok(e instanceof DataFormatError);
    assert.equal(e.message, 'readConll: ner.conll:13: expected 2 columns like line 12, found 3');
    return true;
  });
  const lone = 'good\tO\n\nlonely\n\nfine\tO\n';
  assert.throws(() => parseConll(lone, {}, 'x.conll'), /x\.conll:3: expected at least 2 columns \(token and tag\), found 1/);
  const d = parseConll(lone, { onError: 'skip' }, 'x.conll');
  assert.deepEqual(d.sentences.map((s) => s.tokens), [['good'], ['fine']]);
  assert.equal(d.skipped, 1);
  assert.match(d.problems[0]!, /x\.conll:3: .*sentence starting on line 3 skipped/);
  await withDir(async (dir) => {
    const path = join(dir, 'a.conll');
    await writeFile(path, 'A\tB-X\nb\tI-X\n');
    assert.deepEqual((await readConll(path)).sentences[0]!.tags, ['B-X', 'I-X']);
  });
});

test('comments are skipped only when a comment prefix is given', () => {
  const text = '# sent_id = 1\nHi\tO\n';
  assert.equal(parseConll(text, { commentPrefix: '#' }).sentences[0]!.tokens.length, 1);
  assert.throws(() => parseConll(text, {}, 'c.conll'), /c\.conll:2: expected 4 columns like line 1, found 2/);
});

test('formatConll writes token and tag columns that parse back to the same sentences', () => {
  const sentences = [{ tokens: ['New', 'York'], tags: ['B-LOC', 'I-LOC'] }, { tokens: ['hi'], tags: ['O'] }];
  const text = formatConll(sentences);
  assert.equal(text, 'New\tB-LOC\nYork\tI-LOC\n\nhi\tO\n\n');
  assert.deepEqual(parseConll(text).sentences.map(({ tokens, tags }) => ({ tokens, tags })), sentences);
  assert.equal(formatConll([{ tokens: ['a'], tags: ['O'], predicted: ['B-X'] }]), 'a\tO\tB-X\n\n');
});

test('LabelEncoder maps sorted label names to ids and back, and names unknown labels', () => {
  const enc = LabelEncoder.fit(['spam', 'ham', 'spam']);
  assert.deepEqual(enc.names, ['ham', 'spam']);
  assert.deepEqual(enc.encode(['spam', 'ham']), [1, 0]);
  assert.deepEqual(enc.encodeTensor(['spam']).toArray(), [1]);
  assert.deepEqual(enc.decode([0, 1]), ['ham', 'spam']);
  assert.throws(() => enc.id('eggs'), /unknown label 'eggs' \(known: ham, spam\)/);
  assert.deepEqual(LabelEncoder.fromJSON(enc.toJSON()).names, ['ham', 'spam']);
});
