/**
 * Training and evaluation shared by every application: `fit` (the one training loop: progress,
 * validation, early stopping, best checkpoint, metrics JSON, loss curve SVG), `evaluate`, the
 * classification metrics and entity-level F1 (seqeval's rules), and the SVG line chart.
 *
 * @example
 * ```ts
 * import { fit, accuracy, argmaxList } from 'tsorch/train';
 * const result = await fit({ model, optimizer, trainData, valData, epochs: 10, trainStep, evalStep, metrics: { accuracy } });
 * ```
 */
export {
  fit, lossCurveSVG, metricCurvesSVG, type TrainStepOutput, type FitOptions, type FitResult, type EpochRecord, type FitOptimizer, type FitScheduler, type EarlyStoppingOptions,
} from './fit.js';
export { evaluate, argmaxList, inferBatchSize, type EvalBatch, type Metric } from './evaluate.js';
export {
  accuracy, macroF1, confusionMatrix, classificationReport, multiLabelReport, scoresFromCounts,
  type Labels, type PRF, type ClassScores, type ClassificationReport,
} from './metrics.js';
export { extractEntities, entityReport, entityF1, type Entity, type EntityMode, type EntityReport } from './entities.js';
export { Progress, formatCount, formatDuration, type ProgressMode, type ProgressOptions, type ProgressStream } from './progress.js';
export {
  confusionMatrixSVG, namedClassificationReport, writeClassificationReport,
  type ConfusionMatrixSVGOptions, type NamedClassificationReport, type ReportFiles,
} from './report.js';
export { lineChartSVG, niceTicks, escapeXml, type ChartSeries, type LineChartOptions } from './chart.js';
