// The few icons the app draws, as inline SVG in the text colour (no icon font or emoji: a Pi's
// browser may have neither).
const paths = {
  bell: 'M12 22a2 2 0 0 0 2-2h-4a2 2 0 0 0 2 2zm6-6V11a6 6 0 0 0-5-5.9V4a1 1 0 0 0-2 0v1.1A6 6 0 0 0 6 11v5l-2 2v1h16v-1z',
  bellOff:
    'M12 22a2 2 0 0 0 2-2h-4a2 2 0 0 0 2 2zm6-6V11a6 6 0 0 0-5-5.9V4a1 1 0 0 0-2 0v1.1c-.6.1-1.2.4-1.7.7L18 16.4zM3.3 3.3 2 4.6l4.1 4.1A6 6 0 0 0 6 11v5l-2 2v1h13.4l2 2 1.3-1.3z',
  folder: 'M10 4H4a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V8a2 2 0 0 0-2-2h-8z',
} as const;

export function Icon(props: { name: keyof typeof paths }) {
  return (
    <svg class="icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
      <path d={paths[props.name]} fill="currentColor" />
    </svg>
  );
}
