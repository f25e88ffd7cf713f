import { defineJob } from 'wharf-jobs';
import { z } from 'zod';
import { services } from '../app/services';

/** One welcome email per user: the job id comes from the user id, and the mailer dedupes on the job id. */
export const sendWelcomeEmail = defineJob({
  name: 'send-welcome-email',
  schema: z.object({ userId: z.string().min(1) }),
  queue: 'default',
  idempotency: 'exactly-once',
  jobId: ({ userId }) => userId,
  timeout: '10s',
  async perform({ userId }, ctx) {
    const user = services().users.get(userId);
    if (!user) return ctx.discard(`user ${userId} no longer exists`);
    await services().mailer.send({
      to: user.email,
      subject: `Welcome, ${user.name}!`,
      text: `Hi ${user.name}, thanks for signing up.`,
      idempotencyKey: ctx.jobId,
    });
    ctx.logger.info('welcome email sent', { to: user.email });
    return { sentTo: user.email };
  },
});
