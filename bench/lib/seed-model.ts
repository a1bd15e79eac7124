/**
 * The seed's TextClassifier (README, examples/seed-text-classifier.ts) on the source build, for
 * the focused benches (seed-step.ts, profile-step.ts). bench/tsorch-cases.ts keeps its own copy
 * because it measures the built package ('tsorch'), whose nn.Module is a different class.
 */
import { nn, type Tensor } from '../../src/index.js';
import type { SeedConfig } from './cases.js';

export class SeedClassifier extends nn.Module {
  embedding: nn.Embedding;
  encoder: nn.TransformerEncoder;
  fc: nn.Linear;
  constructor(c: SeedConfig) {
    super();
    this.embedding = new nn.Embedding(c.vocab, c.dModel);
    const layer = new nn.TransformerEncoderLayer({ dModel: c.dModel, nhead: c.nhead, dimFeedforward: c.ff, dropout: c.dropout, batchFirst: true });
    this.encoder = new nn.TransformerEncoder(layer, c.layers);
    this.fc = new nn.Linear(c.dModel, c.classes);
  }
  forward(x: Tensor): Tensor {
    return this.fc.forward(this.encoder.forward(this.embedding.forward(x)).mean(1));
  }
}
