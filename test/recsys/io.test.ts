import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseInteractions, parseItemContent, readInteractions, RecsysFormatError } from '../../src/recsys/index.js';

const triples = (r: ReturnType<typeof parseInteractions>): string[] =>
  Array.from(r.data.users, (u, k) => `${r.data.userIds[u]}|${r.data.itemIds[r.data.items[k]!]}|${r.data.ratings[k]}|${r.data.timestamps[k]}`);

test('parseInteractions reads MovieLens 100k (tab), 1M (::) and whitespace formats without a header', () => {
  const expected = ['196|242|3|881250949', '186|302|3|891717742'];
  assert.deepEqual(triples(parseInteractions('196\t242\t3\t881250949\n186\t302\t3\t891717742\n')), expected);
  assert.deepEqual(triples(parseInteractions('196::242::3::881250949\n186::302::3::891717742')), expected);
  assert.deepEqual(triples(parseInteractions('196  242 3   881250949\r\n 186 302 3 891717742\r\n', { separator: 'whitespace' })), expected);
});

test('parseInteractions reads a quoted CSV with a header and picks columns by name', () => {
  const csv = 'movieId,title,year,genres,userId,rating,timestamp\n31,"Dangerous Minds, The",1995,Drama,1,2.5,1260759144\n1029,"Dumbo",1941,"Animation|Children",1,3,1260759179\n';
  const r = parseInteractions(csv);
  assert.deepEqual(triples(r), ['1|31|2.5|1260759144', '1|1029|3|1260759179']);
  // By index, and a header-less implicit file without ratings.
  const byIndex = parseInteractions(csv, { columns: { user: 4, item: 'title', rating: 'rating', timestamp: null } });
  assert.deepEqual(byIndex.data.itemIds, ['Dangerous Minds, The', 'Dumbo']);
  const implicit = parseInteractions('a,x\nb,y\n', { implicit: true, header: false });
  assert.deepEqual(Array.from(implicit.data.ratings), [1, 1]);
  assert.equal(implicit.data.implicit, true);
});

test('malformed rows throw with file and line, or are skipped and counted', () => {
  const bad = 'user,item,rating\nu1,i1,4\nu2,i2\nu3,i3,five\nu4,i4,2\n';
  assert.throws(() => parseInteractions(bad, {}, 'ratings.csv'), (e: unknown) => {
    assert.ok(e instanceof RecsysFormatError);
    assert.equal(e.message, 'readInteractions: ratings.csv:3: expected at least 3 fields, got 2 ("u2,i2")');
    assert.equal(e.line, 3);
    return true;
  });
  const r = parseInteractions(bad, { onError: 'skip' }, 'ratings.csv');
  assert.equal(r.skipped, 2);
  assert.deepEqual(r.data.userIds, ['u1', 'u4']);
  assert.match(r.problems[1]!, /ratings\.csv:4: rating 'five' is not a number/);
  assert.throws(() => parseInteractions('user,item\nu,i\n'), /no rating column: pass columns\.rating, or implicit: true/);
  assert.throws(() => parseInteractions('a,b,c\n1,2,3\n', { columns: { user: 'who' } }, 'f.csv'), /f\.csv:1: no user column named 'who' \(columns: a, b, c\)/);
});

test('duplicate (user, item) pairs follow the policy: last (default), first, mean, sum or error', () => {
  const dup = 'u1\ti1\t2\t10\nu1\ti2\t5\t11\nu1\ti1\t4\t12\n';
  const rating = (p: 'last' | 'first' | 'mean' | 'sum') => {
    const r = parseInteractions(dup, { duplicates: p });
    assert.equal(r.duplicates, 1);
    assert.equal(r.data.users.length, 2);
    return r.data.ratings[0];
  };
  assert.equal(rating('last'), 4);
  assert.equal(rating('first'), 2);
  assert.equal(rating('mean'), 3);
  assert.equal(rating('sum'), 6);
  assert.equal(parseInteractions(dup).data.timestamps[0], 12);
  assert.throws(() => parseInteractions(dup, { duplicates: 'error' }, 'u.data'), /readInteractions: u\.data:3: duplicate rating of user 'u1' for item 'i1' \(first at line 1\)/);
});

test('readInteractions reads .gz files and names a missing file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsorch-recsys-io-'));
  const path = join(dir, 'ratings.tsv.gz');
  writeFileSync(path, gzipSync('1\t2\t3\t4\n'));
  assert.deepEqual(triples(readInteractions(path)), ['1|2|3|4']);
  assert.throws(() => readInteractions(join(dir, 'nope.csv')), /readInteractions: .*nope\.csv: cannot read the file/);
});

test('parseItemContent reads id, text and categories, first row per item', () => {
  const csv = 'movieId,title,year,genres,userId,rating\n1,Toy Story,1995,Animation|Comedy,1,4\n2,"Heat, the",1995,(no genres listed),1,3\n1,Toy Story,1995,Animation|Comedy,2,5\n';
  const c = parseItemContent(csv);
  assert.equal(c.size, 2);
  assert.deepEqual(c.get('1'), { text: 'Toy Story', categories: ['Animation', 'Comedy'] });
  assert.deepEqual(c.get('2'), { text: 'Heat, the', categories: [] });
  const noHeader = parseItemContent('10|A film|x;y\n', { header: false, separator: '|', categories: 2, categorySeparator: ';' });
  assert.deepEqual(noHeader.get('10'), { text: 'A film', categories: ['x', 'y'] });
});
