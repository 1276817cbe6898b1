// validate-datasets: claims datasets in `validating` and validates them (architecture.md §2.3).
import { backgroundFunction } from '../_shared/processing/background-function.ts';
import { runValidation } from './run.ts';

export const handler = backgroundFunction('validate-datasets', () => runValidation());
