import { z } from 'zod';
import type { FieldIssue } from '../errors/index.js';
import { formatPath } from '../errors/index.js';
import { isPlainObject } from './field-path.js';

/**
 * The schema a bundle's manifest declares for its config file: a small subset of JSON Schema
 * (type, properties, required, items, minimum/maximum, minLength/maxLength, minItems/maxItems, enum,
 * pattern), declarative so that operators can edit it in review without running code.
 *
 * One difference from JSON Schema, on purpose: an object refuses keys its schema does not list unless
 * `additionalProperties` says otherwise, so a misspelt `rate_limit:` fails validation instead of being
 * silently ignored by the application.
 */
export type ConfigSchemaNode =
  | {
      type: 'object';
      description?: string;
      properties?: Record<string, ConfigSchemaNode>;
      required?: string[];
      additionalProperties?: boolean | ConfigSchemaNode;
      minProperties?: number;
    }
  | { type: 'array'; description?: string; items?: ConfigSchemaNode; minItems?: number; maxItems?: number }
  | {
      type: 'string';
      description?: string;
      enum?: string[];
      pattern?: string;
      minLength?: number;
      maxLength?: number;
    }
  | { type: 'number' | 'integer'; description?: string; enum?: number[]; minimum?: number; maximum?: number }
  | { type: 'boolean'; description?: string };

const description = z.string().optional();
const count = z.number().int().min(0).optional();

const regex = z.string().refine(
  (source) => {
    try {
      new RegExp(source, 'u');
      return true;
    } catch {
      return false;
    }
  },
  { message: 'is not a valid regular expression' },
);

export const ConfigSchemaNode: z.ZodType<ConfigSchemaNode> = z.lazy(() =>
  z.discriminatedUnion('type', [
    z
      .object({
        type: z.literal('object'),
        description,
        properties: z.record(z.string(), ConfigSchemaNode).optional(),
        required: z.array(z.string()).optional(),
        additionalProperties: z.union([z.boolean(), ConfigSchemaNode]).optional(),
        minProperties: count,
      })
      .strict()
      .superRefine((node, ctx) => {
        for (const [i, key] of (node.required ?? []).entries()) {
          if (!node.properties || !Object.hasOwn(node.properties, key))
            ctx.addIssue({
              code: 'custom',
              path: ['required', i],
              message: `"${key}" is required but not listed in properties`,
            });
        }
      }),
    z
      .object({
        type: z.literal('array'),
        description,
        items: ConfigSchemaNode.optional(),
        minItems: count,
        maxItems: count,
      })
      .strict(),
    z
      .object({
        type: z.literal('string'),
        description,
        enum: z.array(z.string()).min(1).optional(),
        pattern: regex.optional(),
        minLength: count,
        maxLength: count,
      })
      .strict(),
    z
      .object({
        type: z.enum(['number', 'integer']),
        description,
        enum: z.array(z.number()).min(1).optional(),
        minimum: z.number().optional(),
        maximum: z.number().optional(),
      })
      .strict(),
    z.object({ type: z.literal('boolean'), description }).strict(),
  ]),
);

export interface SchemaCheckOptions {
  /** INI files carry only strings: accept "42" for a number and "true" for a boolean. */
  coerceScalars?: boolean;
}

/** Every place `value` departs from `schema`, each with the exact field path and the rule it broke. */
export function checkAgainstSchema(
  value: unknown,
  schema: ConfigSchemaNode,
  options: SchemaCheckOptions = {},
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  walk(value, schema, [], issues, options);
  return issues;
}

function walk(
  value: unknown,
  schema: ConfigSchemaNode,
  path: (string | number)[],
  issues: FieldIssue[],
  options: SchemaCheckOptions,
): void {
  const report = (message: string, at = path): void => {
    issues.push({ path: formatPath(at), message });
  };
  switch (schema.type) {
    case 'object': {
      if (!isPlainObject(value)) return report(`must be a map of keys to values, found ${describe(value)}`);
      const properties = schema.properties ?? {};
      for (const key of schema.required ?? []) {
        if (!Object.hasOwn(value, key)) report(`is required`, [...path, key]);
      }
      if (schema.minProperties !== undefined && Object.keys(value).length < schema.minProperties)
        report(
          `must have at least ${schema.minProperties} entr${schema.minProperties === 1 ? 'y' : 'ies'}, found ${Object.keys(value).length}`,
        );
      for (const [key, child] of Object.entries(value)) {
        const childSchema = Object.hasOwn(properties, key) ? properties[key] : undefined;
        if (childSchema) walk(child, childSchema, [...path, key], issues, options);
        else if (typeof schema.additionalProperties === 'object')
          walk(child, schema.additionalProperties, [...path, key], issues, options);
        else if (schema.additionalProperties !== true) {
          const known = Object.keys(properties);
          report(`is not a known field${known.length ? ` (allowed here: ${known.join(', ')})` : ''}`, [
            ...path,
            key,
          ]);
        }
      }
      return;
    }
    case 'array': {
      if (!Array.isArray(value)) return report(`must be a list, found ${describe(value)}`);
      if (schema.minItems !== undefined && value.length < schema.minItems)
        report(`must have at least ${schema.minItems} item(s), found ${value.length}`);
      if (schema.maxItems !== undefined && value.length > schema.maxItems)
        report(`must have at most ${schema.maxItems} item(s), found ${value.length}`);
      if (schema.items)
        value.forEach((item, i) =>
          walk(item, schema.items as ConfigSchemaNode, [...path, i], issues, options),
        );
      return;
    }
    case 'string': {
      if (typeof value !== 'string') return report(`must be a string, found ${describe(value)}`);
      if (schema.enum && !schema.enum.includes(value))
        report(`must be one of ${schema.enum.join(', ')}, found "${value}"`);
      if (schema.minLength !== undefined && value.length < schema.minLength)
        report(`must be at least ${schema.minLength} characters long`);
      if (schema.maxLength !== undefined && value.length > schema.maxLength)
        report(`must be at most ${schema.maxLength} characters long`);
      if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value))
        report(`must match the pattern ${schema.pattern}, found "${value}"`);
      return;
    }
    case 'number':
    case 'integer': {
      const number =
        options.coerceScalars && typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof number !== 'number' || !Number.isFinite(number))
        return report(`must be a number, found ${describe(value)}`);
      if (schema.type === 'integer' && !Number.isInteger(number))
        report(`must be a whole number, found ${number}`);
      if (schema.enum && !schema.enum.includes(number))
        report(`must be one of ${schema.enum.join(', ')}, found ${number}`);
      if (schema.minimum !== undefined && number < schema.minimum)
        report(`must be at least ${schema.minimum}, found ${number}`);
      if (schema.maximum !== undefined && number > schema.maximum)
        report(`must be at most ${schema.maximum}, found ${number}`);
      return;
    }
    case 'boolean': {
      const ok =
        typeof value === 'boolean' || (options.coerceScalars && (value === 'true' || value === 'false'));
      if (!ok) report(`must be true or false, found ${describe(value)}`);
      return;
    }
  }
}

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (isPlainObject(value)) return 'a map';
  if (typeof value === 'string')
    return `the string "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return `${typeof value} ${JSON.stringify(value) ?? ''}`;
}
