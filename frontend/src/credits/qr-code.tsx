import { encode } from 'uqr';
import { createMemo } from 'solid-js';

/**
 * A QR code drawn in the browser from the provider's `code_url` / `qr_code`: nothing about the payment leaves the
 * page. One SVG path of dark modules with the standard four-module quiet zone, crisp at any size. This module is
 * loaded lazily (with the QR encoder) only when an order needs it.
 */
export default function QrCode(props: { value: string; label: string }) {
  const drawing = createMemo(() => {
    const { size, data } = encode(props.value, { ecc: 'M', border: 4 });
    let path = '';
    data.forEach((row, y) => row.forEach((dark, x) => {
      if (dark) path += `M${x} ${y}h1v1h-1z`;
    }));
    return { size, path };
  });
  return (
    <svg
      class="qr-code"
      data-testid="payment-qr"
      role="img"
      aria-label={props.label}
      viewBox={`0 0 ${drawing().size} ${drawing().size}`}
      shape-rendering="crispEdges"
      xmlns="http://www.w3.org/2000/svg"
    >
      <rect width="100%" height="100%" fill="#fff" />
      <path d={drawing().path} fill="#000" />
    </svg>
  );
}
