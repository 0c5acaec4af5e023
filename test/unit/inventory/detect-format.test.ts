import { describe, expect, it } from 'vitest';
import { ErrorCode, ValidationError } from '../../../src/errors/index.js';
import { detectInventoryFormat } from '../../../src/inventory/detect-format.js';
import { thrownBy } from '../../support/refusal.js';

function refusal(text: string, source = 'inv'): ValidationError {
  const err = thrownBy(ValidationError, () => detectInventoryFormat(text, source));
  expect(err.code).toBe(ErrorCode.InvalidInventory);
  return err;
}

describe('inventory format detection', () => {
  it('tells the three formats apart by content', () => {
    expect(detectInventoryFormat('version: 1\nhosts:\n  a:\n', 'x')).toBe('marshal-yaml');
    expect(detectInventoryFormat('hosts:\n  web-01:\n    address: 10.0.0.1\n', 'x')).toBe('marshal-yaml');
    expect(detectInventoryFormat('defualts: {}\nhosts:\n  a:\n', 'x')).toBe('marshal-yaml');
    expect(detectInventoryFormat('all:\n  children:\n    web:\n      hosts:\n        w1:\n', 'x.yml')).toBe(
      'ansible-yaml',
    );
    expect(detectInventoryFormat('web:\n  hosts:\n    w1:\n', 'x')).toBe('ansible-yaml');
    expect(detectInventoryFormat('[web]\nw1 ansible_port=22\n', 'hosts')).toBe('ansible-ini');
    expect(detectInventoryFormat('w1\nw2:2222\n', 'hosts')).toBe('ansible-ini');
  });

  it('refuses what fits both, neither, or is not an inventory', () => {
    expect(refusal('hosts:\n  hosts:\n    h1:\n').message).toContain('ambiguous');
    expect(refusal('web:\n  servers: [a]\n').message).toContain('unknown inventory format');
    expect(refusal('plugin: amazon.aws.aws_ec2\n').message).toContain('plugin configuration');
    expect(refusal('- a\n- b\n', 'x.yaml').message).toContain('must be a mapping');
    expect(refusal('  \n', 'hosts').message).toContain('empty');
  });
});
