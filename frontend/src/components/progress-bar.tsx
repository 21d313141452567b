import './progress-bar.css';

interface ProgressBarProps {
  /** 0–100; undefined shows an indeterminate bar. */
  value: number | undefined;
  label: string;
  testId: string;
}

export function ProgressBar(props: ProgressBarProps) {
  const clamped = () => (props.value === undefined ? undefined : Math.min(100, Math.max(0, Math.round(props.value))));
  return (
    <div
      class="progress"
      classList={{ 'progress--indeterminate': clamped() === undefined }}
      role="progressbar"
      aria-label={props.label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={clamped()}
      data-testid={props.testId}
      data-value={clamped()}
    >
      <div class="progress__fill" style={{ width: `${clamped() ?? 30}%` }} />
    </div>
  );
}
