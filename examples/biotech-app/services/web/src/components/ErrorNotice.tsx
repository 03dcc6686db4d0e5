export function ErrorNotice({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <div role="alert" className="notice notice-error">
      {error}
    </div>
  );
}
