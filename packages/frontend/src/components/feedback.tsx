import type { ReactNode } from 'react';

export type FeedbackState = 'pending' | 'success' | 'failure';

export interface Feedback {
  readonly state: FeedbackState;
  readonly text: ReactNode;
}

const STYLE: Record<FeedbackState, string> = {
  pending: 'is-info is-light',
  success: 'is-success is-light',
  failure: 'is-danger is-light',
};

/** The answer to an action: pending, success or failure, announced to screen readers too. */
export function FeedbackNote({ feedback, testId }: { feedback: Feedback | null; testId: string }) {
  if (!feedback) return null;
  return (
    <div
      className={`notification feedback py-2 px-3 ${STYLE[feedback.state]}`}
      data-testid={testId}
      data-state={feedback.state}
      role={feedback.state === 'failure' ? 'alert' : 'status'}
    >
      {feedback.state === 'pending' && <span className="loader-inline" aria-hidden="true" />}
      {feedback.text}
    </div>
  );
}
