import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { demoCommand, runDemo } from '../../src/cli/demo.js';
import { emailToText } from '../../src/text/datasets/spam-assassin.js';
import { repoRoot } from '../helpers/fixtures.js';

/**
 * A seeded stand-in for the corpus (the real one takes seconds to load and train on): ham and
 * spam share filler words and differ in a few topical ones, with 10% of the topical words drawn
 * from the other class so the task is not trivially separable by one word.
 */
function mails(n: number, seed: number): { texts: string[]; labels: number[] } {
  const ham = ['meeting', 'patch', 'kernel', 'thanks', 'list', 'review', 'build', 'bug', 'tomorrow', 'notes'];
  const spam = ['free', 'money', 'click', 'offer', 'viagra', 'winner', 'cash', 'guaranteed', 'unsubscribe', 'credit'];
  const filler = ['the', 'a', 'you', 'we', 'to', 'and', 'this', 'is', 'for', 'on', 'with', 'your', 'it', 'of'];
  let s = seed;
  const r = (k: number) => ((s = (s * 48271) % 2147483647) % k);
  const texts: string[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = r(3) === 0 ? 1 : 0;
    const words = Array.from({ length: 6 + r(10) }, () => {
      if (r(3) !== 0) return filler[r(filler.length)]!;
      const own = r(10) !== 0;
      return ((y === 1) === own ? spam : ham)[r(10)]!;
    });
    texts.push(words.join(' '));
    labels.push(y);
  }
  return { texts, labels };
}

test('the demo path trains the Transformer on a small corpus, beats chance by far, and reports it beside the TF-IDF baseline', async () => {
  const out = await mkdtemp(join(tmpdir(), 'tsorch-demo-'));
  try {
    const lines: string[] = [];
    const r = await runDemo({
      data: mails(400, 5), epochs: 4, hidden: 16, heads: 2, layers: 1, maxLength: 24, vocabSize: 200, batchSize: 16, lr: 5e-3,
      out, progress: 'none', log: (l) => lines.push(l),
    });
    assert.equal(r.testSize, 80);
    assert.equal(r.trainSize, 320);
    assert.ok(r.finalLoss < r.firstLoss * 0.6, `loss ${r.firstLoss} → ${r.finalLoss}`);
    assert.ok(r.transformer.accuracy >= 0.9, `transformer test accuracy ${r.transformer.accuracy}`);
    assert.ok(r.baseline.accuracy >= 0.9, `baseline test accuracy ${r.baseline.accuracy}`);
    assert.ok(r.transformer.macroF1 > 0.85 && r.transformer.macroF1 <= 1);
    const text = lines.join('\n');
    assert.match(text, /Transformer \(tsorch\)\s+\d+\.\d\d%\s+0\.\d{4}/);
    assert.match(text, /TF-IDF \+ logistic regression\s+\d+\.\d\d%/);
    for (const f of ['manifest.json', 'model.safetensors', 'tokenizer.json', 'metrics.json', 'loss.svg', 'demo.json', 'test.jsonl']) {
      assert.ok(existsSync(join(out, f)), `${f} is written`);
    }
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    assert.equal(manifest.task, 'text');
    assert.equal(manifest.model.kind, 'transformer');
    assert.match(await readFile(join(out, 'loss.svg'), 'utf8'), /<svg[\s\S]*<\/svg>\s*$/);
    // The saved folder works with the command line (dist is built by `npm test`).
    const bin = join(repoRoot(), 'bin', 'tsorch.js');
    const pred = execFileSync(process.execPath, [bin, 'predict', '--model', out, 'click for free money cash offer', 'the kernel patch review meeting'], { encoding: 'utf8' });
    assert.match(pred, /^spam\t0\.\d{4}\tclick for free money cash offer\nham\t0\.\d{4}\tthe kernel patch/);
    const ev = execFileSync(process.execPath, [bin, 'eval', '--model', out, '--data', join(out, 'test.jsonl'), '--json'], { encoding: 'utf8' });
    assert.ok(Math.abs(JSON.parse(ev).accuracy - r.transformer.accuracy) < 1e-9, 'eval of the saved test split repeats the demo\'s accuracy');
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('the demo is reproducible under the same seed', async () => {
  const run = () => runDemo({ data: mails(120, 9), epochs: 1, hidden: 8, heads: 2, maxLength: 16, vocabSize: 100, out: null, progress: 'none', log: () => {} });
  const [a, b] = [await run(), await run()];
  assert.equal(a.finalLoss, b.finalLoss);
  assert.deepEqual(a.transformer, b.transformer);
});

test('emailToText keeps the subject and the body, drops other headers, HTML, MIME parts and base64', () => {
  const raw = [
    'Return-Path: <x@y.z>', 'Received: from mx.example.com (1.2.3.4)', '\tby host; Mon, 1 Jan 2002', 'Subject: You WON',
    '  a prize', 'Content-Type: multipart/alternative; boundary="----=_NextPart_000"', '',
    '------=_NextPart_000', 'Content-Type: text/html; charset=iso-8859-1', 'Content-Transfer-Encoding: quoted-printable', '',
    '<html><body><p>Claim&nbsp;your <b>cash</b> =', 'now &amp; here =3D easy</p><style>p{}</style></body></html>',
    'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3ODk=',
  ].join('\r\n');
  assert.equal(emailToText(raw), 'You WON a prize\nClaim your cash now & here = easy');
  assert.equal(emailToText(raw, { headers: 'none', maxChars: 10 }), 'Claim your');
  assert.match(emailToText(raw, { headers: 'all' }), /^Return-Path/);
});

test('tsorch demo rejects a size that is not a positive integer, and a non-number, naming the option', async () => {
  await assert.rejects(demoCommand(['--epochs', '0', '--no-save']), /--epochs: expects a positive integer, got '0'/);
  await assert.rejects(demoCommand(['--hidden', '2.5', '--no-save']), /--hidden: expects a positive integer, got '2.5'/);
  await assert.rejects(demoCommand(['--lr', 'fast', '--no-save']), /--lr: expects a number, got 'fast'/);
});

test('tsorch demo rejects a bad --progress before reading any data', async () => {
  await assert.rejects(demoCommand(['--progress', 'fancy', '--no-save']), /--progress: expects one of auto, bar, lines, none, got 'fancy'/);
});
