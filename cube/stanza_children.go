package cube

import "encoding/xml"

// XMLElem is a child element that the ConnectyCube dialect does not model, such as a
// receipt request (XEP-0184), a stable id (XEP-0359), a <thread/>, a link (XEP-0066)
// or a private namespace. It is kept as a tree with its namespaces resolved, so that
// a server relays it, and a client reads it, as the sender wrote it: same names,
// namespaces, attributes and text, in the same order (prefixes are not kept; they
// carry no meaning). Comments and processing instructions inside are dropped.
type XMLElem struct {
	Name  xml.Name
	Attrs []xml.Attr // namespace declarations are not attributes: they are rewritten
	Nodes []XMLNode  // children and text, in document order
}

// XMLNode is one piece of an element's content: a child element or a run of text.
type XMLNode struct {
	Elem *XMLElem
	Text string
}

// UnmarshalXML reads the element with every name resolved to its namespace.
func (e *XMLElem) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	e.Name = start.Name
	for _, a := range start.Attr {
		if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
			continue
		}
		e.Attrs = append(e.Attrs, a)
	}
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			child := &XMLElem{}
			if err := child.UnmarshalXML(d, t); err != nil {
				return err
			}
			e.Nodes = append(e.Nodes, XMLNode{Elem: child})
		case xml.CharData:
			// Adjacent runs (text, entities, CDATA) are one text node, as they read back.
			if n := len(e.Nodes); n > 0 && e.Nodes[n-1].Elem == nil {
				e.Nodes[n-1].Text += string(t)
			} else {
				e.Nodes = append(e.Nodes, XMLNode{Text: string(t)})
			}
		case xml.EndElement:
			return nil
		}
	}
}

// MarshalXML writes the element under its own name (whatever the field asks for),
// declaring a namespace only where it changes, so a relayed copy is no bigger than
// needed.
func (e XMLElem) MarshalXML(enc *xml.Encoder, _ xml.StartElement) error {
	return e.encode(enc, nil)
}

// encode writes e inside a parent in namespace *parent (nil: unknown, always declare).
func (e *XMLElem) encode(enc *xml.Encoder, parent *string) error {
	start := xml.StartElement{Name: e.Name, Attr: e.Attrs}
	if parent != nil && *parent == e.Name.Space {
		start.Name.Space = "" // inherited from the parent's declaration
	} else if e.Name.Space == "" {
		// Outside any namespace: undeclare the parent's default, as ErrCondElem does.
		start.Attr = append([]xml.Attr{{Name: xml.Name{Local: "xmlns"}}}, e.Attrs...)
	}
	if err := enc.EncodeToken(start); err != nil {
		return err
	}
	for _, n := range e.Nodes {
		var err error
		if n.Elem != nil {
			err = n.Elem.encode(enc, &e.Name.Space)
		} else {
			err = enc.EncodeToken(xml.CharData(n.Text))
		}
		if err != nil {
			return err
		}
	}
	return enc.EncodeToken(xml.EndElement{Name: start.Name})
}
