/**
 * The seed's PyTorch text classifier, line for line in TypeScript.
 *
 * PyTorch:                                             tsorch:
 *   self.embedding = nn.Embedding(10000, 128)            embedding = new nn.Embedding(10000, 128)
 *   layer = nn.TransformerEncoderLayer(128, 8, …)        new nn.TransformerEncoderLayer({ dModel: 128, nhead: 8, … })
 *   self.encoder = nn.TransformerEncoder(layer, 6)       encoder = new nn.TransformerEncoder(layer, 6)
 *   self.fc = nn.Linear(128, num_classes)                fc = new nn.Linear(128, numClasses)
 *   DataLoader(TensorDataset(data, labels), 32, True)    new DataLoader(new TensorDataset(data, labels), { batchSize: 32, shuffle: true })
 *
 * The data is synthetic (seeded): a sequence is class 1 when most of its tokens come from the
 * upper half of the vocabulary, so the loss has something to learn and visibly falls.
 *
 * Run: node build/examples/seed-text-classifier.js [--small]   (--small: a CI-sized model)
 */
import * as torch from 'tsorch';
import { nn, optim, type Tensor } from 'tsorch';
import { DataLoader, TensorDataset } from 'tsorch/data';

const small = process.argv.includes('--small');
const cfg = small
  ? { vocab: 200, dModel: 16, nhead: 2, layers: 2, ff: 32, samples: 128, seqLen: 12, epochs: 3 }
  : { vocab: 10000, dModel: 128, nhead: 8, layers: 6, ff: 2048, samples: 512, seqLen: 64, epochs: 3 };
const numClasses = 2;

class TextClassifier extends nn.Module {
  embedding = new nn.Embedding(cfg.vocab, cfg.dModel);
  encoder = new nn.TransformerEncoder(
    new nn.TransformerEncoderLayer({ dModel: cfg.dModel, nhead: cfg.nhead, dimFeedforward: cfg.ff, batchFirst: true }),
    cfg.layers,
  );
  fc = new nn.Linear(cfg.dModel, numClasses);

  forward(x: Tensor): Tensor {
    let h = this.embedding.forward(x); // (N, L, dModel)
    h = this.encoder.forward(h); // (N, L, dModel)
    return this.fc.forward(h.mean(1)); // mean over tokens → (N, numClasses)
  }
}

torch.manualSeed(0);
const data = torch.randint(0, cfg.vocab, [cfg.samples, cfg.seqLen]);
const labels = data.ge(cfg.vocab / 2).float().mean(1).gt(0.5).long();

const model = new TextClassifier();
const criterion = new nn.CrossEntropyLoss();
const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
const loader = new DataLoader(new TensorDataset(data, labels), { batchSize: 32, shuffle: true });

for (let epoch = 0; epoch < cfg.epochs; epoch++) {
  let total = 0;
  let batches = 0;
  for (const [x, y] of loader) {
    optimizer.zeroGrad();
    const loss = criterion.forward(model.forward(x!), y!);
    loss.backward();
    optimizer.step();
    total += loss.item();
    batches++;
  }
  console.log(`epoch ${epoch + 1}: mean loss ${(total / batches).toFixed(4)}`);
}
