package sandbox

import (
	"bytes"
	"reflect"
	"testing"
)

func TestGeneratedDatasetsAreValidAndDeterministic(t *testing.T) {
	for _, size := range []string{"small", "medium", "large"} {
		t.Run(size, func(t *testing.T) {
			d, err := Generate(size, 7)
			if err != nil {
				t.Fatal(err)
			}
			if err := d.Validate(); err != nil {
				t.Fatal(err)
			}
			again, _ := Generate(size, 7)
			if !reflect.DeepEqual(d, again) {
				t.Error("the same seed gave a different dataset")
			}
			other, _ := Generate(size, 8)
			if reflect.DeepEqual(d.Users, other.Users) {
				t.Error("another seed gave the same users")
			}
			spec := sizeSpecs[size]
			members := 0
			for _, u := range d.Users {
				if u.IsMember() {
					members++
				}
			}
			if members != spec.members {
				t.Errorf("%d members, want %d", members, spec.members)
			}
			if len(d.Grants) < spec.grants*9/10 || len(d.Grants) > spec.grants*11/10 {
				t.Errorf("%d grants, want about %d", len(d.Grants), spec.grants)
			}
			t.Logf("%s: %d users, %d partners, %d assets, %d grants, %d tags, %d invites", size, len(d.Users), len(d.Partners), len(d.Assets), len(d.Grants), len(d.ConversionTags), len(d.Invites))
		})
	}
}

func TestDatasetJSONRoundTrip(t *testing.T) {
	d, _ := Generate("small", 3)
	var buf bytes.Buffer
	if err := d.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := LoadDataset(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(d, back) {
		t.Error("dataset changed through its JSON form")
	}
}
