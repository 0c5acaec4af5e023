import { z } from 'zod';

/**
 * When a task runs, given the states of the tasks it depends on. Names and meaning are Airflow's
 * (`airflow.utils.trigger_rule.TriggerRule`), so operators who know Airflow need learn nothing new.
 */
export const TriggerRule = z.enum([
  'all_success',
  'all_failed',
  'all_done',
  'one_success',
  'one_failed',
  'none_failed',
  'none_failed_min_one_success',
  'none_skipped',
  'always',
]);
export type TriggerRule = z.infer<typeof TriggerRule>;
