import { describe, expect, it } from 'vitest';

describe('the runtime', () => {
  it('is Node.js 24, the Lambda nodejs24.x runtime, whatever node the machine has', () => {
    expect(process.version).toMatch(/^v24\./);
  });
});
