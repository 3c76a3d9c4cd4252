// A button marked data-print prints the page (the review minutes): a listener from this file
// instead of an onclick attribute, which the Content-Security-Policy refuses.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
