// The survey page opened from a mail's one-click link: the server records
// nothing on that GET (mail scanners open every link), so the page posts
// the chosen score itself. Only the score and the form's tokens go: the
// comment already saved stays. On any failure the "press Send" notice stays.
export async function init() {
  const form = document.querySelector('form[data-survey-autosend]');
  if (!form) return;
  const data = new FormData(form);
  data.delete('comment');
  try {
    const res = await fetch(location.pathname, {
      method: 'POST',
      credentials: 'same-origin',
      redirect: 'manual',
      body: new URLSearchParams(data),
    });
    if (res.type !== 'opaqueredirect' && !res.ok) return;
  } catch {
    return;
  }
  form.removeAttribute('data-survey-autosend');
  document.getElementById('survey-pending')?.remove();
  const thanks = document.getElementById('survey-thanks');
  if (thanks) thanks.hidden = false;
}
