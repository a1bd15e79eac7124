/**
 * Label names ↔ class ids (scikit-learn's LabelEncoder): the ids a model predicts and the names
 * people read. Saved with a model so predictions can be named later.
 */
import { ValueError } from '../errors.js';
import { tensor } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * A fixed list of label names; a label's id is its position.
 *
 * @example
 * ```ts
 * const labels = LabelEncoder.fit(['spam', 'ham', 'spam']); // names ['ham', 'spam'] (sorted)
 * labels.encode(['spam', 'ham']); // [1, 0]
 * labels.decode([0]);            // ['ham']
 * ```
 */
export class LabelEncoder {
  private readonly ids: Map<string, number>;

  constructor(readonly names: readonly string[]) {
    this.ids = new Map(names.map((n, i) => [n, i]));
    if (this.ids.size !== names.length) throw new ValueError('LabelEncoder', 'label names must be distinct');
  }

  /** The distinct labels, sorted (code-unit order), or in first-seen order with `{ sort: false }`. */
  static fit(labels: Iterable<string>, opts: { sort?: boolean } = {}): LabelEncoder {
    const names = [...new Set(labels)];
    return new LabelEncoder((opts.sort ?? true) ? names.sort() : names);
  }

  get size(): number {
    return this.names.length;
  }

  /** The id of one label; an unknown label throws, naming it and the known ones. */
  id(label: string): number {
    const i = this.ids.get(label);
    if (i === undefined) throw new ValueError('LabelEncoder', `unknown label '${label}' (known: ${this.names.slice(0, 20).join(', ')}${this.names.length > 20 ? ', …' : ''})`);
    return i;
  }

  encode(labels: readonly string[]): number[] {
    return labels.map((l) => this.id(l));
  }

  /** The labels as an int64 tensor (N). */
  encodeTensor(labels: readonly string[]): Tensor {
    return tensor(Int32Array.from(this.encode(labels)), { dtype: 'int64' });
  }

  decode(ids: readonly number[] | Tensor): string[] {
    const list = Array.isArray(ids) ? ids as readonly number[] : Array.from((ids as Tensor).dataSync());
    return list.map((i) => {
      const n = this.names[i];
      if (n === undefined) throw new ValueError('LabelEncoder', `id ${i} is outside 0 … ${this.names.length - 1}`);
      return n;
    });
  }

  toJSON(): { labels: string[] } {
    return { labels: [...this.names] };
  }

  static fromJSON(json: { labels: readonly string[] }): LabelEncoder {
    if (!Array.isArray(json.labels) || !json.labels.every((l) => typeof l === 'string')) throw new ValueError('LabelEncoder.fromJSON', 'expected { labels: string[] }');
    return new LabelEncoder(json.labels);
  }
}
