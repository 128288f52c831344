// The buttons under a list editor: add a row, save the list, close without saving.
export function EditorActions(props: { add: string; save: string; onAdd: () => void; onClose: () => void }) {
  return (
    <div class="row">
      <button type="button" class="ghost" onClick={props.onAdd}>
        {props.add}
      </button>
      <button type="submit">{props.save}</button>
      <button type="button" class="ghost" onClick={props.onClose}>
        Close
      </button>
    </div>
  );
}
