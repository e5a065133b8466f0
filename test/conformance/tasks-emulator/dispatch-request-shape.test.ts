import { describe, expect, it } from 'vitest';
import { useTasksEmulator } from '../../helpers/tasks.ts';

const h = useTasksEmulator({ queues: [{ name: 'shape', retryConfig: { minBackoff: 1, maxDoublings: 0 } }] });

describe('a dispatch carries the task request and the X-CloudTasks-* headers', () => {
  it('sends method, URL, headers and body, with Cloud Tasks headers replacing reserved ones', async () => {
    const t0 = h.clock.now();
    await h.client.createTask({
      parent: h.queuePath('shape'),
      task: {
        name: h.taskPath('shape', 'shape-1'),
        httpRequest: {
          url: h.target.url('/hook?kind=otp'),
          httpMethod: 'PUT',
          headers: {
            'Content-Type': 'application/json',
            'X-Custom': 'kept',
            Authorization: 'Bearer caller-token',
            Host: 'evil.example',
            'User-Agent': 'mine',
            'X-CloudTasks-TaskName': 'spoofed',
          },
          body: Buffer.from('{"messageId":"m-1"}'),
        },
      },
    });
    await h.settle();
    expect(h.target.requests).toHaveLength(1);
    const [req] = h.target.requests;
    expect(req?.method).toBe('PUT');
    expect(req?.path).toBe('/hook?kind=otp');
    expect(req?.body.toString()).toBe('{"messageId":"m-1"}');
    expect(req?.headers).toMatchObject({
      'content-type': 'application/json',
      'x-custom': 'kept',
      // No oidcToken on the task: the caller's Authorization header goes through.
      authorization: 'Bearer caller-token',
      host: new URL(h.target.url()).host,
      'user-agent': 'Google-Cloud-Tasks',
      'x-cloudtasks-queuename': 'shape',
      'x-cloudtasks-taskname': 'shape-1',
      'x-cloudtasks-taskretrycount': '0',
      'x-cloudtasks-taskexecutioncount': '0',
      'x-cloudtasks-tasketa': (t0 / 1000).toFixed(6),
    });
    expect(req?.headers['x-cloudtasks-taskpreviousresponse']).toBeUndefined();
  });

  it('uses POST when no method is given', async () => {
    await h.client.createTask({
      parent: h.queuePath('shape'),
      task: { httpRequest: { url: h.target.url('/default'), body: Buffer.from('x') } },
    });
    await h.settle();
    expect(h.target.requests.map((r) => [r.method, r.path, r.body.toString()])).toEqual([
      ['POST', '/default', 'x'],
    ]);
  });

  it('counts retries and executions across attempts (5xx answers are not executions)', async () => {
    const statuses = [404, 503, 500, 200];
    h.target.respond((r) => ({ status: statuses[r.index] ?? 200 }));
    await h.client.createTask({
      parent: h.queuePath('shape'),
      task: { name: h.taskPath('shape', 'counted'), httpRequest: { url: h.target.url('/count') } },
    });
    await h.advance(60_000);
    const seen = h.target.requests.map((r) => [
      r.headers['x-cloudtasks-taskretrycount'],
      r.headers['x-cloudtasks-taskexecutioncount'],
      r.headers['x-cloudtasks-taskpreviousresponse'],
    ]);
    expect(seen).toEqual([
      ['0', '0', undefined],
      ['1', '1', '404'],
      ['2', '1', '503'],
      ['3', '1', '500'],
    ]);
    // Each attempt's ETA header is that attempt's schedule time.
    expect(h.target.requests.map((r) => Number(r.headers['x-cloudtasks-tasketa']) * 1000)).toEqual(
      h.emulator.history().map((a) => a.scheduleTime),
    );
  });
});
