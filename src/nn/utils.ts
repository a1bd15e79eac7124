/** torch.nn.utils: gradient clipping. */
export { clipGradNorm_, clipGradValue_, type ClipGradNormOptions } from './clip.js';
