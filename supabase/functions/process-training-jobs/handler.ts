// process-training-jobs: submits queued jobs to the GPU cluster and follows them (training.md §4).
import { backgroundFunction } from '../_shared/processing/background-function.ts';
import { processTrainingJobs } from './run.ts';

export const handler = backgroundFunction('process-training-jobs', () => processTrainingJobs());
